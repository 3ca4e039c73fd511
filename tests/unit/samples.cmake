# samples/: the hand-made bundles and the generator's output validate against the FHIR R4 schema
# (xmllint), and the generator is deterministic. Skipped (77) without xmllint or the shared schemas.
set(_fls_r4_xsd "${FLS_SHARED_DIR}/schemas/fhir-r4/fhir-single.xsd")
add_test(NAME samples_handmade_xsd
  COMMAND sh "${PROJECT_SOURCE_DIR}/samples/validate.sh" handmade "${_fls_r4_xsd}"
          "${PROJECT_SOURCE_DIR}/samples")
set_tests_properties(samples_handmade_xsd PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 120)
if(TARGET fls-gen-practice)
  add_test(NAME samples_generated_xsd
    COMMAND sh "${PROJECT_SOURCE_DIR}/samples/validate.sh" generated "${_fls_r4_xsd}"
            "$<TARGET_FILE:fls-gen-practice>" "${CMAKE_CURRENT_BINARY_DIR}/samples-gen")
  set_tests_properties(samples_generated_xsd PROPERTIES LABELS unit SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
