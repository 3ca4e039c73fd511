fls_add_unit_test(test_e2e_samples SOURCES ${PROJECT_SOURCE_DIR}/tests/e2e/test_e2e_samples.c
  ${PROJECT_SOURCE_DIR}/tests/test_util.c LABELS e2e)
# "threads": run under ThreadSanitizer by run-tests.sh (the background store writer).
fls_add_unit_test(test_e2e_store SOURCES ${PROJECT_SOURCE_DIR}/tests/e2e/test_e2e_store.c
  ${PROJECT_SOURCE_DIR}/tests/test_util.c LABELS e2e threads)

# Black-box clinical vignettes written from clinical-rules.md section 7 (tests/vignettes/README.md).
add_test(NAME vignettes COMMAND bash ${PROJECT_SOURCE_DIR}/tests/vignettes/check.sh $<TARGET_FILE:fls>)
set_tests_properties(vignettes PROPERTIES LABELS e2e)

# Black-box QFracture-2012 input-mapping vignettes (tests/qf_vignettes/README.md): expected inputs written
# from the spec, turned into risks by `fls risk`, compared with `fls screen` to 1e-9 relative.
add_test(NAME qf_vignettes COMMAND bash ${PROJECT_SOURCE_DIR}/tests/qf_vignettes/check.sh $<TARGET_FILE:fls>)
set_tests_properties(qf_vignettes PROPERTIES LABELS e2e)
