# FLS worklist and falls-referral rules (clinical-rules.md 7.2-7.6): hand-built facts, no shared data.
foreach(_t risk_derived risk_fls_rules risk_falls_rules risk_worklist)
  fls_add_unit_test(test_${_t} SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_${_t}.c
    ${PROJECT_SOURCE_DIR}/tests/unit/risk_builder.c ${PROJECT_SOURCE_DIR}/tests/test_util.c LABELS unit)
endforeach()
