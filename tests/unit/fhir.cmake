fls_add_unit_test(test_fhir_scalar SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_fhir_scalar.c)
fls_add_unit_test(test_fhir_reader SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_fhir_reader.c
  ${PROJECT_SOURCE_DIR}/tests/test_util.c)
fls_add_unit_test(test_fhir_corpus SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_fhir_corpus.c
  ${PROJECT_SOURCE_DIR}/tests/test_util.c)
