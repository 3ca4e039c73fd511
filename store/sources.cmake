# Every .c file of this module is part of the static core (one file per concept; no list to collide on).
file(GLOB _fls_store_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*.c")
target_sources(fls_core PRIVATE ${_fls_store_sources})
