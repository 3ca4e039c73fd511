/*
 * The element and attribute names the reader dispatches on. They are interned in the parser's
 * dictionary once per document, so that every name test in the hot path is a pointer comparison
 * (libxml2's SAX2 hands out dictionary-interned localnames).
 */
#ifndef FLS_FHIR_NAMES_H
#define FLS_FHIR_NAMES_H

#define FHIR_NAME_LIST(X) \
	X(Bundle) X(entry) X(fullUrl) X(resource) X(contained) X(id) X(div) X(extension) X(url) X(value) \
	X(Patient) X(identifier) X(system) X(gender) X(birthDate) X(deceasedBoolean) X(deceasedDateTime) \
	X(Condition) X(verificationStatus) X(clinicalStatus) X(coding) X(code) X(subject) X(patient) \
	X(reference) X(encounter) X(onsetDateTime) X(onsetPeriod) X(start) X(end) X(onsetAge) \
	X(recordedDate) X(Procedure) X(status) X(performedDateTime) X(performedPeriod) X(Observation) \
	X(effectiveDateTime) X(effectivePeriod) X(effectiveInstant) X(issued) X(valueQuantity) X(unit) \
	X(valueInteger) X(valueCodeableConcept) X(component) X(MedicationRequest) \
	X(medicationCodeableConcept) X(medicationReference) X(authoredOn) X(dispenseRequest) \
	X(validityPeriod) X(dosageInstruction) X(MedicationStatement) X(dateAsserted) X(dosage) \
	X(MedicationDispense) X(whenHandedOver) X(whenPrepared) X(Encounter) X(period) X(reasonCode) \
	X(diagnosis) X(condition) X(FamilyMemberHistory) X(relationship) X(Medication) X(doseAndRate) \
	X(doseQuantity) X(timing) X(repeat) X(frequency) X(periodUnit) X(context) X(taken) \
	X(authorizingPrescription)

enum fhir_name {
	NM_NONE = 0,
#define FHIR_NAME_ENUM(n) NM_##n,
	FHIR_NAME_LIST(FHIR_NAME_ENUM)
#undef FHIR_NAME_ENUM
	NM__COUNT
};

#endif
