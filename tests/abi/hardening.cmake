# Hardening of what ships (SECURITY.md "Hardening"): full RELRO, non-executable stack, no text
# relocations, stack protector and _FORTIFY_SOURCE on libfls.so.1, plus PIE on the fls executable.
# _FORTIFY_SOURCE only acts in optimised builds and FLS_SANITIZE drops it, so that check is skipped there.
find_program(FLS_READELF NAMES readelf ${CMAKE_READELF})
if(FLS_READELF)
  set(_fls_fortify OFF)
  if(NOT FLS_SANITIZE AND CMAKE_BUILD_TYPE)
    string(TOUPPER "${CMAKE_BUILD_TYPE}" _bt)
    if("${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_bt}}" MATCHES "-O[1-3sz]")
      set(_fls_fortify ON)
    endif()
  endif()
  add_test(NAME test_hardening_lib
    COMMAND ${CMAKE_COMMAND} -DFILE=$<TARGET_FILE:fls_plugin> -DKIND=lib -DFORTIFY=${_fls_fortify}
            -DREADELF=${FLS_READELF} -P ${PROJECT_SOURCE_DIR}/tests/abi/scripts/check_hardening.cmake)
  add_test(NAME test_hardening_cli
    COMMAND ${CMAKE_COMMAND} -DFILE=$<TARGET_FILE:fls> -DKIND=exe -DFORTIFY=${_fls_fortify}
            -DREADELF=${FLS_READELF} -P ${PROJECT_SOURCE_DIR}/tests/abi/scripts/check_hardening.cmake)
  set_tests_properties(test_hardening_lib test_hardening_cli PROPERTIES LABELS abi)
else()
  message(STATUS "readelf not found: hardening checks not registered")
endif()
