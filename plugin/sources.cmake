# The plugin module minus entry.c, which only the shared object compiles (it defines the exported symbol).
file(GLOB _fls_plugin_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*.c")
list(REMOVE_ITEM _fls_plugin_sources "${CMAKE_CURRENT_LIST_DIR}/entry.c")
target_sources(fls_core PRIVATE ${_fls_plugin_sources})
