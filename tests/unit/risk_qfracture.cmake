# QFracture-2012 equations, the facts-to-inputs mapping, and `fls risk` end to end (owner: qf).
fls_add_unit_test(test_risk_qfracture
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_risk_qfracture.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
fls_add_unit_test(test_risk_qf_map
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_risk_qf_map.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit)
# End to end through the built `fls` binary (FLS_BINARY_DIR/bin/fls): build it with the test.
fls_add_unit_test(test_cli_risk
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_cli_risk.c ${PROJECT_SOURCE_DIR}/tests/test_util.c
  LABELS unit e2e)
add_dependencies(test_cli_risk fls)
