# Code sets (codes/): loader, matching rules, version digest, CSV reader, load errors.
fls_add_unit_test(test_codes
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_codes.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
