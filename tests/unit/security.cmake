# Security tests (SECURITY.md): no patient data in anything reported, the configurable limits.
set(_fls_sec_capture ${PROJECT_SOURCE_DIR}/tests/unit/sec_capture.c ${PROJECT_SOURCE_DIR}/tests/test_util.c)
fls_add_unit_test(test_no_phi SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_no_phi.c ${_fls_sec_capture} LABELS unit)
fls_add_unit_test(test_limits SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_limits.c ${_fls_sec_capture} LABELS unit)
fls_add_unit_test(test_hostile SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_hostile.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
