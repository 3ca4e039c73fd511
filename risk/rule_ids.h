/*
 * Stable rule ids (clinical-rules.md 7.3 and 7.4), their reason texts and sources. The ids appear in
 * every output; the text is the reason a clinician reads, and always names its source.
 */
#ifndef FLS_RISK_RULE_IDS_H
#define FLS_RISK_RULE_IDS_H

/* X(enum suffix, id, level (1-3), reason text, source) */
#define RISK_FLS_RULE_LIST(X) \
	X(P1_TREATED, "R-FLS-P1-TREATED", 1, "Fragility fracture while on bone therapy: consider specialist review", \
	  "clinical-rules 7.3; NOGG very-high-risk criterion [unverified]; libfls design choice") \
	X(P1_HIPVERT, "R-FLS-P1-HIPVERT", 1, "Recent hip/vertebral fragility fracture, untreated", \
	  "NICE CG146 introduction; NOS FLS standard 1; FLS-DB KPI 3; ranking: libfls design choice") \
	X(P1_MULTIVERT, "R-FLS-P1-MULTIVERT", 1, "Multiple vertebral fractures: NOGG suggests specialist referral", \
	  "NOGG 2021/2024 section 4; code list and count: libfls design choice") \
	X(P1_TSCORE_GC, "R-FLS-P1-TSCORE-GC", 1, "Very low T-score / high-dose glucocorticoid", \
	  "NOGG dose band (2017 tool); thresholds unverified; libfls design choice") \
	X(P2_RECENT, "R-FLS-P2-RECENT", 2, "Recent fragility fracture, untreated", \
	  "NICE QS149 statements 1-2; ROS FLS clinical standards 2019; ranking: libfls design choice") \
	X(P3_PREVIOUS, "R-FLS-P3-PREVIOUS", 3, "Previous fragility fracture, no current bone therapy", \
	  "NICE CG146 1.1 (previous fragility fracture); NOGG section 4; ranking: libfls design choice")

#define RISK_FALL_RULE_LIST(X) \
	X(1, "R-FALL-1", 1, "Fall with injury in last 12 months", "NICE NG249 (consultation 2024); World Falls Guidelines 2022") \
	X(2, "R-FALL-2", 1, "Recurrent falls (2+ in 12 months)", "World Falls Guidelines 2022 Table 2; NICE NG249 (consultation 2024)") \
	X(3, "R-FALL-3", 1, "Fall and living with frailty", "NICE NG249 (consultation 2024); frailty = moderate/severe: libfls design choice") \
	X(4, "R-FALL-4", 1, "Fall in care-home resident", "World Falls Guidelines 2022; 730-day residence window: libfls design choice") \
	X(5, "R-FALL-5", 1, "Fall with fracture", "FLS-DB KPI 6; ROS FLS clinical standards 2019; 365-day window: libfls design choice") \
	X(6, "R-FALL-6", 0, "Single fall without high-risk features: offer strength and balance exercise; check gait/balance", \
	  "World Falls Guidelines 2022 (intermediate/low risk) [secondary]; NICE CG161") \
	X(7, "R-FALL-7", 0, "No recorded fall: ask about falls opportunistically", "NICE NG249 1.1.2; NICE CG161")

enum risk_fls_rule {
#define RISK_FLS_ENUM(e, id, lvl, text, src) RISK_FLS_##e,
	RISK_FLS_RULE_LIST(RISK_FLS_ENUM)
#undef RISK_FLS_ENUM
	RISK_FLS__COUNT
};

enum risk_fall_rule {
#define RISK_FALL_ENUM(n, id, refer, text, src) RISK_FALL_##n,
	RISK_FALL_RULE_LIST(RISK_FALL_ENUM)
#undef RISK_FALL_ENUM
	RISK_FALL__COUNT
};

const char *risk_fls_rule_id(int r);
const char *risk_fls_rule_text(int r);
const char *risk_fls_rule_source(int r);
int risk_fls_rule_level(int r);
const char *risk_fall_rule_id(int r);
const char *risk_fall_rule_text(int r);
const char *risk_fall_rule_source(int r);

#endif
