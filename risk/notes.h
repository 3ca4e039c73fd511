/*
 * Notes attached to a decision: data-quality notes (clinical-rules 7.5 and the missing-data policy of
 * docs/decisions.md) and worklist notes (7.3). The ids are stable and appear in every output.
 */
#ifndef FLS_RISK_NOTES_H
#define FLS_RISK_NOTES_H

#include <stdint.h>

/* X(enum suffix, stable id, text shown to clinicians) */
#define RISK_NOTE_LIST(X) \
	X(BMI_MISSING, "DQ-BMI-MISSING", "No BMI recorded or derivable from weight and height: no fracture risk score") \
	X(BMI_CLAMPED, "DQ-BMI-CLAMPED", "Recorded BMI outside 20-40 kg/m2: clamped to the bound for the risk score") \
	X(BMI_DERIVED, "DQ-BMI-DERIVED", "BMI derived from the latest weight and height") \
	X(SMOKING_ASSUMED, "DQ-SMOKING-ASSUMED", "No smoking status recorded: non-smoker assumed for the risk score") \
	X(SMOKING_AMOUNT_ASSUMED, "DQ-SMOKING-AMOUNT-ASSUMED", "Current smoker with no amount recorded: light smoker assumed") \
	X(ALCOHOL_ASSUMED, "DQ-ALCOHOL-ASSUMED", "No alcohol intake recorded: non-drinker assumed for the risk score") \
	X(ETHNICITY_NOT_STATED, "DQ-ETHNICITY-NOT-STATED", "Ethnicity not stated: group 1 (White or not stated) used") \
	X(AGE_OUT_OF_RANGE, "DQ-AGE-OUT-OF-RANGE", "Age outside 30-100: the risk equations do not apply, no score") \
	X(NO_BIRTH_DATE, "DQ-NO-BIRTH-DATE", "No usable birth date: age unknown") \
	X(SEX_UNKNOWN, "DQ-SEX-UNKNOWN", "Sex not recorded as female or male: no risk score") \
	X(PARTIAL_DATE, "DQ-PARTIAL-DATE", "Partial dates read as the 15th of the month or 1 July") \
	X(ICD10_CATEGORY, "DQ-ICD10-CATEGORY", "ICD-10 codes matched only a 3-character category") \
	X(FRACTURE_SITE_UNSPECIFIED, "DQ-FRACTURE-SITE-UNSPECIFIED", "Fracture recorded without a site") \
	X(MED_NO_DATE, "DQ-MED-NO-DATE", "Medication records without a date were ignored") \
	X(NO_DATE, "DQ-NO-DATE", "Records without a usable date were ignored") \
	X(AFTER_AS_OF, "DQ-AFTER-AS-OF", "Records dated after the as-of date were ignored") \
	X(EFI_RANGE, "DQ-EFI-RANGE", "eFI values outside 0-1, or without a value, were ignored") \
	X(GC_DOSE, "DQ-GC-DOSE", "Oral glucocorticoid issues in the last 6 months without a derivable daily dose") \
	X(HISTORY_ONLY, "DQ-HISTORY-ONLY", "Worklist entry rests only on a 'history of fracture' code") \
	X(MED_UNRESOLVED, "DQ-MED-UNRESOLVED", "A medication reference could not be resolved") \
	X(BIRTH_PARTIAL, "DQ-BIRTH-PARTIAL", "Birth date is partial: age may be a year out") \
	X(NO_PATIENT, "DQ-NO-PATIENT", "Clinical records refer to a patient whose Patient resource is absent") \
	X(DECEASED, "DQ-DECEASED", "Patient recorded as deceased") \
	X(RECORD_TRUNCATED, "DQ-RECORD-TRUNCATED", "More resources than max_resources_per_patient: the rest of the record was not read") \
	X(WL_NO_DXA, "WL-NO-DXA", "No DXA recorded (FLS-DB KPI 5)") \
	X(WL_FALLS_HISTORY, "WL-FALLS-HISTORY", "Falls history: falls assessment/referral (ROS Investigate/Intervene, FLS-DB KPI 6)") \
	X(WL_OSTEOPOROSIS, "WL-OSTEOPOROSIS", "Osteoporosis coded") \
	X(WL_GLUCOCORTICOID, "WL-GLUCOCORTICOID", "Current oral glucocorticoid") \
	X(WL_CARE_HOME, "WL-CARE-HOME", "Care home resident") \
	X(WL_FRAILTY_MILD, "WL-FRAILTY-MILD", "Frailty: mild") \
	X(WL_FRAILTY_MODERATE, "WL-FRAILTY-MODERATE", "Frailty: moderate") \
	X(WL_FRAILTY_SEVERE, "WL-FRAILTY-SEVERE", "Frailty: severe") \
	X(WL_HIGH_ENERGY, "WL-HIGH-ENERGY", "Possible high-energy mechanism: confirm fragility (clinical-rules 1.2)") \
	X(WL_AGE_OVER_80, "WL-AGE-OVER-80", "Age over 80: interpret risk scores with caution (NICE CG146 1.5)") \
	X(WL_RISK_INFO, "WL-RISK-INFO", "QFracture-2012 10-year risks shown for information only; NOGG FRAX thresholds are not applied to them")

enum risk_note {
#define RISK_NOTE_ENUM(e, id, text) RISK_NOTE_##e,
	RISK_NOTE_LIST(RISK_NOTE_ENUM)
#undef RISK_NOTE_ENUM
	RISK_NOTE__COUNT
};

_Static_assert(RISK_NOTE__COUNT <= 64, "note masks are 64 bits");

#define RISK_NOTE_BIT(n) ((uint64_t)1 << (n))

const char *risk_note_id(int note);
const char *risk_note_text(int note);

#endif
