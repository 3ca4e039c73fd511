# Decision outputs: shared renderings (risk/render), FHIR R4 Bundle writer (fhir/writer), decisions CSV
# (cli/out_csv, compiled into the test because cli/ is the executable's, not the core's).
fls_add_unit_test(test_render
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_render.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
fls_add_unit_test(test_fhir_writer
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_fhir_writer.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
fls_add_unit_test(test_out_csv
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_out_csv.c ${PROJECT_SOURCE_DIR}/cli/out_csv.c
          ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
