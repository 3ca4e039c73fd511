#include "fhir/dosage.h"

#include <math.h>
#include <strings.h>
#include <string.h>

void fhir_dosage_reset(struct fhir_dosage *ds)
{
	ds->best_mg_day = NAN;
	ds->n_dosages = 0;
	fhir_dosage_begin(ds);
}

void fhir_dosage_begin(struct fhir_dosage *ds)
{
	ds->max_mg = NAN;
	ds->has_timing = ds->has_period = 0;
	ds->frequency = 1;   /* Timing.repeat.frequency "meaning if missing" is 1 (FHIR R4 datatypes) */
	ds->period_days = NAN;
}

double fhir_mass_unit_mg(const char *unit, const char *system, const char *code)
{
	static const char ucum[] = "http://unitsofmeasure.org";

	/* A UCUM code decides alone; the unit text is read only without one (7.2.1). */
	if (system && code && !strcmp(system, ucum)) {
		if (!strcmp(code, "mg"))
			return 1;
		if (!strcmp(code, "ug"))
			return 0.001;
		if (!strcmp(code, "g"))
			return 1000;
		return 0;
	}
	if (!unit)
		return 0;
	if (!strcasecmp(unit, "mg"))
		return 1;
	if (!strcasecmp(unit, "microgram") || !strcasecmp(unit, "micrograms") || !strcasecmp(unit, "mcg") ||
	    !strcasecmp(unit, "ug") || !strcmp(unit, "\xc2\xb5g") || !strcmp(unit, "\xce\xbcg"))
		return 0.001;
	if (!strcasecmp(unit, "g"))
		return 1000;
	return 0;
}

void fhir_dosage_quantity(struct fhir_dosage *ds, double value, const char *unit, const char *system, const char *code)
{
	double f = fhir_mass_unit_mg(unit, system, code);

	if (f > 0 && value >= 0 && (isnan(ds->max_mg) || value * f > ds->max_mg))
		ds->max_mg = value * f;
}

void fhir_dosage_timing(struct fhir_dosage *ds)
{
	ds->has_timing = 1;
}

void fhir_dosage_frequency(struct fhir_dosage *ds, double f)
{
	ds->frequency = f;
}

void fhir_dosage_period(struct fhir_dosage *ds, double period, const char *unit)
{
	static const struct {
		const char *u;
		double days;
	} units[] = { { "s", 1.0 / 86400 }, { "min", 1.0 / 1440 }, { "h", 1.0 / 24 }, { "d", 1 },
		      { "wk", 7 },	   { "mo", 30 },	   { "a", 365 } };

	ds->has_period = 1;
	ds->period_days = NAN;
	if (!unit || period <= 0)
		return;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].u))
			ds->period_days = period * units[i].days;
}

void fhir_dosage_end(struct fhir_dosage *ds)
{
	double daily = NAN;

	ds->n_dosages++;
	if (isnan(ds->max_mg))
		goto out;
	if (!ds->has_timing)
		daily = ds->max_mg; /* no timing at all: once a day */
	else if (ds->has_period && ds->period_days > 0 && ds->frequency > 0)
		daily = ds->max_mg * ds->frequency / ds->period_days;
	if (!isnan(daily) && (isnan(ds->best_mg_day) || daily > ds->best_mg_day))
		ds->best_mg_day = daily;
out:
	fhir_dosage_begin(ds);
}
