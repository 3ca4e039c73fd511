/*
 * The concepts libfls reasons with: one per code-set file in codes/ (the file name is the concept id),
 * plus pseudo-concepts the loader derives from code ranges. Each is one bit of a uint64_t mask, so a
 * code that belongs to several concepts (codes/README.md: "many-to-many") costs one word.
 * The order is not ABI; names are (they appear in `fls inspect` and the decisions' explanations).
 */
#ifndef FLS_CODES_CONCEPTS_H
#define FLS_CODES_CONCEPTS_H

#include <stddef.h>
#include <stdint.h>

#define FLS_CONCEPT_LIST(X) \
	X(ALCOHOL_HEAVY_DRINKER, "alcohol_heavy_drinker") \
	X(ALCOHOL_INTAKE_OBSERVABLE, "alcohol_intake_observable") \
	X(ALCOHOL_LIGHT_DRINKER, "alcohol_light_drinker") \
	X(ALCOHOL_MODERATE_DRINKER, "alcohol_moderate_drinker") \
	X(ALCOHOL_NON_DRINKER, "alcohol_non_drinker") \
	X(ANTICONVULSANT, "anticonvulsant") \
	X(ANTIDEPRESSANT, "antidepressant") \
	X(ASTHMA, "asthma") \
	X(BMI, "bmi") \
	X(BODY_HEIGHT, "body_height") \
	X(BODY_WEIGHT, "body_weight") \
	X(BONE_SPARING_TREATMENT, "bone_sparing_treatment") \
	X(CANCER, "cancer") \
	X(CARDIOVASCULAR_DISEASE, "cardiovascular_disease") \
	X(CARE_HOME, "care_home") \
	X(CKD_STAGE4_5, "ckd_stage4_5") \
	X(COPD, "copd") \
	X(DEMENTIA, "dementia") \
	X(DIABETES_TYPE1, "diabetes_type1") \
	X(DIABETES_TYPE2, "diabetes_type2") \
	X(DXA_T_SCORE_CENTRAL, "dxa_t_score_central") \
	X(DXA_T_SCORE_PERIPHERAL, "dxa_t_score_peripheral") \
	X(EFI_SCORE, "efi_score") \
	X(ENDOCRINE, "endocrine") \
	X(EPILEPSY, "epilepsy") \
	X(FALL_FROM_HEIGHT_ICD10, "fall_from_height_icd10") \
	X(FALLS, "falls") \
	X(FALLS_RECURRENT, "falls_recurrent") \
	X(FRACTURE_EXCLUDED_SITES, "fracture_excluded_sites") \
	X(FRACTURE_HIP, "fracture_hip") \
	X(FRACTURE_HISTORY, "fracture_history") \
	X(FRACTURE_NONFRAGILITY_MECHANISM, "fracture_nonfragility_mechanism") \
	X(FRACTURE_OTHER_FRAGILITY_SITES, "fracture_other_fragility_sites") \
	X(FRACTURE_PELVIS, "fracture_pelvis") \
	X(FRACTURE_PROXIMAL_HUMERUS, "fracture_proximal_humerus") \
	X(FRACTURE_SITE_UNSPECIFIED, "fracture_site_unspecified") \
	X(FRACTURE_VERTEBRAL, "fracture_vertebral") \
	X(FRACTURE_VERTEBRAL_MULTIPLE, "fracture_vertebral_multiple") \
	X(FRACTURE_WRIST_DISTAL_RADIUS, "fracture_wrist_distal_radius") \
	X(FRAILTY_MILD, "frailty_mild") \
	X(FRAILTY_MODERATE, "frailty_moderate") \
	X(FRAILTY_SEVERE, "frailty_severe") \
	X(GLUCOCORTICOID_ORAL, "glucocorticoid_oral") \
	X(HRT, "hrt") \
	X(HRT_OESTROGEN_ONLY, "hrt_oestrogen_only") \
	X(LIVER_DISEASE, "liver_disease") \
	X(MALABSORPTION, "malabsorption") \
	X(OSTEOPOROSIS, "osteoporosis") \
	X(PARKINSONS, "parkinsons") \
	X(RHEUMATOID_ARTHRITIS, "rheumatoid_arthritis") \
	X(SLE, "sle") \
	X(SMOKING_CURRENT, "smoking_current") \
	X(SMOKING_EX, "smoking_ex") \
	X(SMOKING_NEVER, "smoking_never") \
	X(SMOKING_NOT_CURRENT, "smoking_not_current") \
	X(SMOKING_STATUS_OBSERVABLE, "smoking_status_observable") \
	/* pseudo-concepts, derived from code ranges rather than listed in a file */ \
	X(INJURY_ICD10, "injury_icd10_s00_t14")

enum concept {
#define FLS_CONCEPT_ENUM(id, name) CONCEPT_##id,
	FLS_CONCEPT_LIST(FLS_CONCEPT_ENUM)
#undef FLS_CONCEPT_ENUM
	CONCEPT__COUNT
};

/* Concepts loaded from a file of the same name (all but the pseudo-concepts). */
#define CONCEPT__FILE_COUNT CONCEPT_INJURY_ICD10

#define CONCEPT_BIT(c) ((uint64_t)1 << (c))

_Static_assert(CONCEPT__COUNT <= 64, "concept masks are 64 bits");

/* The nine fracture files among which an ICD-10 code's longest match decides (clinical-rules 7.1). */
#define CONCEPT_FRACTURE_CONTEST_MASK \
	(CONCEPT_BIT(CONCEPT_FRACTURE_HIP) | CONCEPT_BIT(CONCEPT_FRACTURE_VERTEBRAL) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_WRIST_DISTAL_RADIUS) | CONCEPT_BIT(CONCEPT_FRACTURE_PROXIMAL_HUMERUS) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_PELVIS) | CONCEPT_BIT(CONCEPT_FRACTURE_OTHER_FRAGILITY_SITES) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_SITE_UNSPECIFIED) | CONCEPT_BIT(CONCEPT_FRACTURE_EXCLUDED_SITES) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_NONFRAGILITY_MECHANISM))

/* The seven fragility site files (D2). */
#define CONCEPT_FRAGILITY_SITE_MASK \
	(CONCEPT_BIT(CONCEPT_FRACTURE_HIP) | CONCEPT_BIT(CONCEPT_FRACTURE_VERTEBRAL) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_WRIST_DISTAL_RADIUS) | CONCEPT_BIT(CONCEPT_FRACTURE_PROXIMAL_HUMERUS) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_PELVIS) | CONCEPT_BIT(CONCEPT_FRACTURE_OTHER_FRAGILITY_SITES) | \
	 CONCEPT_BIT(CONCEPT_FRACTURE_SITE_UNSPECIFIED))

/* The concept's id (its file name without .csv); "?" when out of range. */
const char *concept_name(int c);
/* The concept whose file name is name[0..len), or -1. */
int concept_by_name(const char *name, size_t len);

#endif
