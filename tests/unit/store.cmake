# Tests of store/ (the encrypted decision log). Each binary shares tests/unit/store_fixture.c.
set(_fls_store_fixture ${PROJECT_SOURCE_DIR}/tests/unit/store_fixture.c ${PROJECT_SOURCE_DIR}/tests/test_util.c)
fls_add_unit_test(test_store_crypto
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_store_crypto.c ${_fls_store_fixture} LABELS unit TIMEOUT 120)
fls_add_unit_test(test_store_log
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_store_log.c ${_fls_store_fixture} LABELS unit TIMEOUT 120)
fls_add_unit_test(test_store_tamper
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_store_tamper.c ${_fls_store_fixture} LABELS unit TIMEOUT 120)
fls_add_unit_test(test_store_faults
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_store_faults.c ${_fls_store_fixture} LABELS unit TIMEOUT 120)
fls_add_unit_test(test_store_cli
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_store_cli.c ${_fls_store_fixture} LABELS unit TIMEOUT 120)
add_dependencies(test_store_cli fls)   # it runs bin/fls
