# The `fls` command-line host: every .c file in cli/ (one file per command).
file(GLOB _fls_cli_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*.c")
add_executable(fls ${_fls_cli_sources})
target_link_libraries(fls PRIVATE fls_core fls_warnings fls_hardening fls_pie)
