# The plugin as a host sees it: dlopen of the built .so, the function table, one screening; and the
# export list of the shared object (only the entry symbol, versioned).
add_executable(test_abi_host ${PROJECT_SOURCE_DIR}/tests/abi/host_smoke.c)
target_link_libraries(test_abi_host PRIVATE cmocka::cmocka ${CMAKE_DL_LIBS} fls_test_warnings)
target_include_directories(test_abi_host PRIVATE "${PROJECT_SOURCE_DIR}/include")
add_dependencies(test_abi_host fls_plugin)
add_test(NAME test_abi_host COMMAND test_abi_host $<TARGET_FILE:fls_plugin>)
# "threads": run under ThreadSanitizer by run-tests.sh (two sessions on two threads at once).
set_tests_properties(test_abi_host PROPERTIES LABELS "abi;threads" ENVIRONMENT "${FLS_TEST_ENV}")

add_test(NAME test_abi_exports
  COMMAND ${CMAKE_COMMAND} -DLIB=$<TARGET_FILE:fls_plugin> -P ${PROJECT_SOURCE_DIR}/tests/abi/scripts/check_exports.cmake)
set_tests_properties(test_abi_exports PROPERTIES LABELS abi)

# The public headers compile alone as C99 and as C++ with every warning (STYLE.md §2 header hygiene).
add_test(NAME test_abi_headers
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DCC=${CMAKE_C_COMPILER} -DOUT=${PROJECT_BINARY_DIR}
          -P ${PROJECT_SOURCE_DIR}/tests/abi/scripts/check_headers.cmake)
set_tests_properties(test_abi_headers PROPERTIES LABELS abi)
