fls_add_unit_test(test_e2e_samples SOURCES ${PROJECT_SOURCE_DIR}/tests/e2e/test_e2e_samples.c
  ${PROJECT_SOURCE_DIR}/tests/test_util.c LABELS e2e)
# "threads": run under ThreadSanitizer by run-tests.sh (the background store writer).
fls_add_unit_test(test_e2e_store SOURCES ${PROJECT_SOURCE_DIR}/tests/e2e/test_e2e_store.c
  ${PROJECT_SOURCE_DIR}/tests/test_util.c LABELS e2e threads)
