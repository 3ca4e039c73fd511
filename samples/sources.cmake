# The seeded generator of synthetic practice lists (samples/gen/): a build tool, never installed.
file(GLOB _fls_gen_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/gen/*.c")
if(_fls_gen_sources)
  add_executable(fls-gen-practice ${_fls_gen_sources})
  target_link_libraries(fls-gen-practice PRIVATE fls_core fls_warnings fls_hardening fls_pie)
endif()
