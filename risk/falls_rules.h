/*
 * Falls-service referral (clinical-rules.md 7.4): the population and R-FALL-1..7, as a pure function of
 * the derived facts (risk/derived.h).
 */
#ifndef FLS_RISK_FALLS_RULES_H
#define FLS_RISK_FALLS_RULES_H

#include <stdint.h>

#include "risk/derived.h"

struct risk_falls_facts {
	int age;                    /* D1 at as-of; -1 unknown */
	uint8_t any_d2;             /* a D2 fragility fracture event */
	uint8_t osteoporosis;       /* D9 */
	uint8_t frailty_modsev;     /* D10 moderate or severe */
	uint8_t parkinsons, dementia; /* recorded on or before as-of */
	uint8_t care_home;          /* care_home code 0-730 days before as-of */
	uint8_t injurious;          /* D7a */
	uint8_t fall_with_fracture; /* R-FALL-5 condition (risk_fall_with_fracture) */
	uint32_t falls;             /* D7 */
};

struct risk_falls_result {
	uint8_t population, referral; /* 0/1 */
	uint32_t reasons;             /* 1u << enum risk_fall_rule */
};

/* 7.4 population: 65 and over, or 50-64 with one of the "higher risk" proxies. */
int risk_falls_population(const struct risk_falls_facts *f);
/* R-FALL-5 condition: a D7 fall date F and a fragility episode dated E (on or before as-of) with
 * |E - F| <= 365 days. latest_episode is the latest episode date (the index date, D2b). */
int risk_fall_with_fracture(const struct risk_d7 *d7, int32_t latest_episode);
/* The whole of 7.4. */
struct risk_falls_result risk_falls_evaluate(const struct risk_falls_facts *f);

#endif
