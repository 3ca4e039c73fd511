/*
 * The daily dose of a medication record from its Dosage elements (clinical-rules 7.2.1): the largest
 * mass dose over each Dosage's doseAndRate.doseQuantity, times frequency per period in days; no timing
 * at all means once a day; a timing without repeat.period gives no dose. The record's daily dose is the
 * largest over its Dosages (a taper is read at its highest phase).
 */
#ifndef FLS_FHIR_DOSAGE_H
#define FLS_FHIR_DOSAGE_H

#include <stddef.h>

struct fhir_dosage {
	double best_mg_day; /* NaN until a Dosage gives a dose */
	int n_dosages;
	/* the Dosage being read */
	double max_mg;      /* NaN: no mass dose yet */
	int has_timing, has_period;
	double frequency, period_days;
};

void fhir_dosage_reset(struct fhir_dosage *ds);
void fhir_dosage_begin(struct fhir_dosage *ds);
/* A doseQuantity: value, and its unit text / system / code (each may be NULL). */
void fhir_dosage_quantity(struct fhir_dosage *ds, double value, const char *unit, const char *system, const char *code);
void fhir_dosage_timing(struct fhir_dosage *ds);
void fhir_dosage_frequency(struct fhir_dosage *ds, double f);
/* period and periodUnit (UCUM: s min h d wk mo a); an unknown unit makes the period unusable. */
void fhir_dosage_period(struct fhir_dosage *ds, double period, const char *unit);
void fhir_dosage_end(struct fhir_dosage *ds);

/* Conversion factor to mg of a mass unit (7.2.1), or 0 when it is not a mass. */
double fhir_mass_unit_mg(const char *unit, const char *system, const char *code);

#endif
