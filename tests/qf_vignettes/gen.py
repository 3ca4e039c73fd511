#!/usr/bin/env python3
"""Write the QFracture input-mapping vignettes qfv-NN.xml (one patient per FHIR R4 collection Bundle).

Written from ../shared/spec/qfracture-reference.md (sections 5-7), clinical-rules.md (6, 7.1, 7.5, 7.6)
and the code sets in ../../codes only. As-of date for every vignette: 2026-11-01.
The expected QFracture inputs are in expected_inputs.csv (written by hand, not by this script).

Usage: python3 gen.py [OUTDIR]   (default: the directory of this script)
"""
import datetime as dt
import os
import sys
from xml.sax.saxutils import quoteattr

AS_OF = dt.date(2026, 11, 1)
SCT = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD = "http://hl7.org/fhir/sid/icd-10"
DMD = "https://dmd.nhs.uk"
UCUM = "http://unitsofmeasure.org"
ETH_URL = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
ETH_SYS = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
ETH_DISPLAY = {
    "A": "White - British", "B": "White - Irish", "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean", "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani", "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background", "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African", "R": "Other Ethnic Groups - Chinese",
    "S": "Other Ethnic Groups - Any other ethnic group", "Z": "Not stated",
}


def ago(days):
    """ISO date `days` days before the as-of date (negative = after it)."""
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def a(v):
    return quoteattr(str(v))


def coding(system, code, display=""):
    s = f"<coding><system value={a(system)}/><code value={a(code)}/>"
    if display:
        s += f"<display value={a(display)}/>"
    return s + "</coding>"


# --- resource builders (each returns the inner resource XML; {P} is replaced by the patient reference) ---

def condition(system, code, display, date, ver="confirmed"):
    return (f"<Condition><id value='{{ID}}'/>"
            f"<clinicalStatus>{coding('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active')}</clinicalStatus>"
            f"<verificationStatus>{coding('http://terminology.hl7.org/CodeSystem/condition-ver-status', ver)}</verificationStatus>"
            f"<code>{coding(system, code, display)}</code>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<onsetDateTime value={a(date)}/></Condition>")


def condition_dated(system, code, display, date_xml):
    """A Condition dated only by the given XML (recordedDate, onsetAge...) or undated when date_xml is ''."""
    return (f"<Condition><id value='{{ID}}'/>"
            f"<clinicalStatus>{coding('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active')}</clinicalStatus>"
            f"<code>{coding(system, code, display)}</code>"
            f"<subject><reference value='{{P}}'/></subject>{date_xml}</Condition>")


def encounter_reason(system, code, display, start):
    return (f"<Encounter><id value='{{ID}}'/><status value='finished'/>"
            f"<class>{coding('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'AMB', 'ambulatory')}</class>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<period><start value={a(start)}/></period>"
            f"<reasonCode>{coding(system, code, display)}</reasonCode></Encounter>")


def bmi_issued_only(value, instant):
    return (f"<Observation><id value='{{ID}}'/><status value='final'/>"
            f"<code>{coding(LOINC, '39156-5', 'Body mass index (BMI) [Ratio]')}</code>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<issued value={a(instant)}/>"
            f"<valueQuantity><value value={a(value)}/><unit value='kg/m2'/><system value={a(UCUM)}/><code value='kg/m2'/></valueQuantity></Observation>")


def obs_coded(system, code, display, date, status="final"):
    """An observation recorded as a code only (UK GP style, e.g. 'Never smoked tobacco')."""
    return (f"<Observation><id value='{{ID}}'/><status value={a(status)}/>"
            f"<code>{coding(system, code, display)}</code>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<effectiveDateTime value={a(date)}/></Observation>")


def obs_qty(system, code, display, date, value, unit, ucum=None, status="final"):
    q = f"<value value={a(value)}/><unit value={a(unit)}/>"
    if ucum:
        q += f"<system value={a(UCUM)}/><code value={a(ucum)}/>"
    return (f"<Observation><id value='{{ID}}'/><status value={a(status)}/>"
            f"<code>{coding(system, code, display)}</code>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<effectiveDateTime value={a(date)}/>"
            f"<valueQuantity>{q}</valueQuantity></Observation>")


def obs_cc(system, code, display, date, vsys, vcode, vdisplay, status="final"):
    return (f"<Observation><id value='{{ID}}'/><status value={a(status)}/>"
            f"<code>{coding(system, code, display)}</code>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<effectiveDateTime value={a(date)}/>"
            f"<valueCodeableConcept>{coding(vsys, vcode, vdisplay)}</valueCodeableConcept></Observation>")


def med_request(code, display, date, status="completed"):
    return (f"<MedicationRequest><id value='{{ID}}'/><status value={a(status)}/><intent value='order'/>"
            f"<medicationCodeableConcept>{coding(DMD, code, display)}</medicationCodeableConcept>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<authoredOn value={a(date)}/>"
            f"<dosageInstruction><text value='As directed'/></dosageInstruction></MedicationRequest>")


def med_statement(code, display, date, status="completed"):
    return (f"<MedicationStatement><id value='{{ID}}'/><status value={a(status)}/>"
            f"<medicationCodeableConcept>{coding(DMD, code, display)}</medicationCodeableConcept>"
            f"<subject><reference value='{{P}}'/></subject>"
            f"<effectiveDateTime value={a(date)}/></MedicationStatement>")


def fmh(rel_code, rel_display, system, code, display, date="2025-01-15"):
    return (f"<FamilyMemberHistory><id value='{{ID}}'/><status value='completed'/>"
            f"<patient><reference value='{{P}}'/></patient><date value={a(date)}/>"
            f"<relationship>{coding('http://terminology.hl7.org/CodeSystem/v3-RoleCode', rel_code, rel_display)}</relationship>"
            f"<condition><code>{coding(system, code, display)}</code></condition></FamilyMemberHistory>")


# --- common records ---

def bmi(value, date, status="final"):
    return obs_qty(LOINC, "39156-5", "Body mass index (BMI) [Ratio]", date, value, "kg/m2", "kg/m2", status)


def weight(value, unit, ucum, date):
    return obs_qty(LOINC, "29463-7", "Body weight", date, value, unit, ucum)


def height(value, unit, ucum, date):
    return obs_qty(LOINC, "8302-2", "Body height", date, value, unit, ucum)


def never_smoked(date="2025-01-10"):
    return obs_coded(SCT, "266919005", "Never smoked tobacco", date)


def ex_smoker(date):
    return obs_coded(SCT, "8517006", "Ex-smoker", date)


def smoker(date, status="final"):
    return obs_coded(SCT, "77176002", "Smoker", date, status)


def cigs_per_day(n, date):
    return obs_qty(SCT, "230056004", "Cigarette consumption", date, n, "cigarettes/day", "/d")


def teetotaller(date="2025-01-10"):
    return obs_coded(SCT, "105542008", "Teetotaller", date)


def alcohol_units(value, unit, ucum, date):
    return obs_qty(SCT, "160573003", "Alcohol intake", date, value, unit, ucum)


CIT = ("10394411000001109", "Citalopram 20mg tablets")   # antidepressant.csv
SER = ("10295311000001108", "Sertraline 50mg tablets")   # antidepressant.csv
PRED = ("325427002", "Prednisolone 5mg tablets")         # glucocorticoid_oral.csv
EST = ("325545004", "Estradiol 1mg tablets")             # hrt_oestrogen_only.csv
CBZ = ("10185111000001109", "Carbamazepine 200mg tablets")  # anticonvulsant.csv

DEFAULT_BMI = lambda: bmi("25", ago(150))

# Each vignette: id, sex, birthDate, ethnic category code (None = no extension), lifestyle overrides,
# extra resources, and what it tests. Unless overridden: BMI 25 (150 days ago), never smoked, teetotaller.
V = []


def vig(n, sex, birth, eth, what, res=(), bmi_res="default", smoke_res="default", alc_res="default"):
    V.append(dict(n=n, sex=sex, birth=birth, eth=eth, what=what, res=list(res),
                  bmi=[DEFAULT_BMI()] if bmi_res == "default" else list(bmi_res),
                  smoke=[never_smoked()] if smoke_res == "default" else list(smoke_res),
                  alc=[teetotaller()] if alc_res == "default" else list(alc_res)))


# 01-14: ethnic groups (each with one condition flag)
vig(1, "female", "1961-03-15", "A", "baseline woman 65, White British: spec 8 worked example 1 (MOF 4.5465..., hip 1.1856...)")
vig(2, "male", "1956-05-20", "H", "Indian -> ethrisk 2; asthma -> b_asthmacopd; antidepressant issues on partial dates 2026-09 and 2026-08 (15th) -> b_antidepressant + DQ-PARTIAL-DATE",
    [condition(SCT, "195967001", "Asthma", "2010-04-01"),
     med_request(*CIT, "2026-09"), med_request(*CIT, "2026-08")])
vig(3, "female", "1971-02-01", "J", "Pakistani -> 3; cancer -> b_anycancer; oestrogen-only HRT issued 30 days ago -> b_hrt_oest",
    [condition(SCT, "254837009", "Malignant neoplasm of breast", "2019-06-01"),
     med_request(*EST, ago(30))])
vig(4, "male", "1966-07-07", "K", "Bangladeshi -> 4; myocardial infarction -> b_cvd; anticonvulsant issue (no epilepsy code) -> b_epilepsy2",
    [condition(SCT, "22298006", "Myocardial infarction", "2018-02-11"),
     med_request(*CBZ, ago(40))])
vig(5, "female", "1951-01-20", "L", "Any other Asian -> 5; dementia -> b_dementia; cirrhosis dated by onsetAge 60 -> b_liver",
    [condition(SCT, "52448006", "Dementia", "2024-03-03"),
     condition_dated(SCT, "19943007", "Cirrhosis of liver (disorder)",
                     f"<onsetAge><value value='60'/><unit value='years'/><system value={a(UCUM)}/><code value='a'/></onsetAge>")])
vig(6, "male", "1946-04-04", "M", "Black Caribbean -> 6; COPD (ICD-10 J44) -> b_asthmacopd; Parkinson's -> b_parkinsons; care-home code exactly 730 days before -> b_carehome",
    [condition(ICD, "J44", "Other chronic obstructive pulmonary disease", "2015-09-09"),
     condition(SCT, "49049000", "Parkinson's disease (disorder)", "2022-01-12"),
     obs_coded(SCT, "160734000", "Lives in nursing home", ago(730))])
vig(7, "female", "1941-06-30", "N", "Black African -> 7; thyrotoxicosis -> b_endocrine (female)",
    [condition(SCT, "90739004", "Thyrotoxicosis (disorder)", "2005-05-05")])
vig(8, "male", "1976-10-01", "R", "Chinese -> 8; epilepsy -> b_epilepsy2",
    [condition(SCT, "84757009", "Epilepsy", "1999-09-09")])
vig(9, "female", "1958-08-08", "S", "Any other ethnic group -> 9; cirrhosis -> b_liver; coeliac -> b_malabsorption; parent (PRN) with osteoporosis -> fh_osteoporosis",
    [condition(SCT, "19943007", "Cirrhosis of liver (disorder)", "2020-02-02"),
     condition(SCT, "396331005", "Celiac disease", "2001-01-01"),
     fmh("PRN", "parent", SCT, "64859006", "Osteoporosis")])
vig(10, "male", "1954-09-01", "D", "Mixed White and Black Caribbean -> 9 (other); rheumatoid arthritis -> b_ra_sle",
    [condition(SCT, "69896004", "Rheumatoid arthritis", "2012-12-12")])
vig(11, "female", "1960-05-05", "Z", "ethnicity Not stated (Z) -> 1; SLE -> b_ra_sle",
    [condition(SCT, "55464009", "Systemic lupus erythematosus", "2009-03-03")])
vig(12, "male", "1960-05-05", None, "no ethnicity extension -> 1; CKD stage 4 -> b_renal; no smoking and no alcohol record -> 0/0 with DQ notes",
    [condition(SCT, "431857002", "CKD stage 4", "2023-03-03")], smoke_res=[], alc_res=[])
vig(13, "female", "1964-02-29", "B", "White Irish -> 1; type 1 diabetes -> b_type1; sister with osteoporosis -> not parental, fh 0",
    [condition(SCT, "46635009", "Diabetes mellitus type 1", "1980-01-01"),
     fmh("SIS", "sister", SCT, "64859006", "Osteoporosis")])
vig(14, "male", "1964-03-01", "C", "Any other White -> 1; type 2 diabetes -> b_type2; father with osteoporosis -> fh_osteoporosis",
    [condition(SCT, "44054006", "Diabetes mellitus type 2", "2016-06-16"),
     fmh("FTH", "father", SCT, "64859006", "Osteoporosis")])

# 15-21: falls, care home, previous fracture, parental history
vig(15, "male", "1948-01-10", "A", "man 78: fall 60 days ago -> b_falls; lives in nursing home (code 100 days ago) -> b_carehome",
    [condition(SCT, "1912002", "Fall", ago(60)),
     obs_coded(SCT, "160734000", "Lives in nursing home", ago(100))])
vig(16, "male", "1948-01-10", "A", "man 78: care-home code 1000 days ago (outside 0-730) -> b_carehome 0; asthma Condition dated only by recordedDate -> b_asthmacopd",
    [obs_coded(SCT, "160734000", "Lives in nursing home", ago(1000)),
     condition_dated(SCT, "195967001", "Asthma", "<recordedDate value='2012-03-03'/>")])
vig(17, "female", "1956-03-03", "A", "woman 70: fall 1100 days ago -> b_falls per 'ever before as-of' (clinical-rules 6 [D]); BMI 23 dated only by issued (10 days ago) is the latest -> 23",
    [condition(SCT, "1912002", "Fall", ago(1100)),
     bmi_issued_only("23", ago(10) + "T10:00:00Z")])
vig(18, "female", "1954-06-10", "A", "woman 72: hip fracture at age 60 -> b_fracture4",
    [condition(SCT, "208566002", "(Closed fracture of neck of femur) or (hip fracture NOS) (disorder)", "2014-08-01")])
vig(19, "female", "1954-06-10", "A", "woman 72: Colles fracture at 45 (before 50) and pelvic fracture at 65 (not MOF site) -> b_fracture4 0; undated cancer Condition ignored (DQ-NO-DATE)",
    [condition(SCT, "123971006", "Colles' fracture (disorder)", "1999-09-01"),
     condition(SCT, "91037003", "Closed fracture of pelvis (disorder)", "2019-09-01"),
     condition_dated(SCT, "254837009", "Malignant neoplasm of breast", "")])
vig(20, "male", "1951-05-05", "A", "man 75: 'History of hip fracture' (fracture_history, dated) -> b_fracture4; ICD-10 E11.9 matches the E11 category -> b_type2 + DQ-ICD10-CATEGORY",
    [obs_coded(SCT, "391093004", "History of hip fracture (situation)", "2025-03-01"),
     condition(ICD, "E11.9", "Type 2 diabetes mellitus without complications", "2017-07-07")])
vig(21, "female", "1958-11-11", "A", "woman 67: mother with hip fracture (FamilyMemberHistory) -> fh_osteoporosis; thyrotoxicosis as an Encounter reasonCode -> b_endocrine",
    [fmh("MTH", "mother", SCT, "208566002", "(Closed fracture of neck of femur) or (hip fracture NOS) (disorder)"),
     encounter_reason(SCT, "90739004", "Thyrotoxicosis (disorder)", "2021-04-04T10:00:00Z")])

# 22-24: antidepressants and corticosteroids (>= 2 issues 0-183 days before as-of)
vig(22, "female", "1956-06-06", "A", "antidepressant 2 issues in 6 months -> 1; prednisolone issue 20 days ago + one at 2026-05-01T23:30-02:00 = 2026-05-02 UTC (183 days) -> 1",
    [med_request(*CIT, ago(30)), med_request(*SER, ago(120)), med_request(*PRED, ago(20)),
     med_request(*PRED, "2026-05-01T23:30:00-02:00")])
vig(23, "male", "1956-06-06", "A", "antidepressant 1 issue -> 0; prednisolone 2 issues, one exactly 183 days before -> 1",
    [med_request(*CIT, ago(10)), med_request(*PRED, ago(5)), med_request(*PRED, ago(183))])
vig(24, "female", "1956-06-06", "A", "antidepressant 2 issues, one 184 days before -> 0; prednisolone 2 issues, one 200 days before -> 0",
    [med_request(*CIT, ago(10)), med_request(*CIT, ago(184)),
     med_request(*PRED, ago(15)), med_request(*PRED, ago(200))])

# 25-31: BMI
vig(25, "female", "1956-06-06", "A", "BMI derived: 70 kg, 175 cm -> 22.857142857142858",
    bmi_res=[weight("70", "kg", "kg", ago(40)), height("175", "cm", "cm", ago(40))])
vig(26, "male", "1956-06-06", "A", "BMI derived: 80000 g, 1.8 m -> 24.691358024691358",
    bmi_res=[weight("80000", "g", "g", ago(40)), height("1.8", "m", "m", ago(40))])
vig(27, "female", "1956-06-06", "A", "BMI derived from the latest weight and height: 154 lb (2026) over 90 kg (2020), 64 in (2026) over 160 cm (2015) -> 26.433768375105114",
    bmi_res=[weight("90", "kg", "kg", "2020-01-01"), height("160", "cm", "cm", "2015-01-01"),
             weight("154", "lb", "[lb_av]", ago(20)), height("64", "in", "[in_i]", ago(20))])
vig(28, "female", "1956-06-06", "A", "latest BMI wins (30 in 2024, 24 in 2026); BMI observation used over newer weight+height (giving 35.0); ex-smoker latest over older smoker -> 1; 28 units/week -> 4/day -> alcohol 3",
    bmi_res=[bmi("30", "2024-02-02"), bmi("24", ago(200)),
             weight("98", "kg", "kg", ago(10)), height("1.673", "m", "m", ago(10))],
    smoke_res=[smoker("2019-01-01"), ex_smoker("2025-05-05")],
    alc_res=[alcohol_units("28", "units/week", "/wk", ago(50))])
vig(29, "female", "1956-06-06", "A", "BMI 18.2 -> clamped to 20 (note); 9 cigarettes/day -> light 2; light drinker code -> 2",
    bmi_res=[bmi("18.2", ago(30))],
    smoke_res=[smoker(ago(60)), cigs_per_day("9", ago(60))],
    alc_res=[obs_coded(SCT, "228277002", "Light drinker (life style)", ago(60))])
vig(30, "male", "1956-06-06", "A", "BMI 45.5 -> clamped to 40 (note); current smoker, no amount -> 2 (note); moderate drinker code -> 3",
    bmi_res=[bmi("45.5", ago(30))],
    smoke_res=[smoker(ago(60))],
    alc_res=[obs_coded(SCT, "43783005", "Moderate drinker (life style)", ago(60))])
vig(31, "female", "1956-06-06", "A", "BMI missing: weight only, no height -> no score",
    bmi_res=[weight("70", "kg", "kg", ago(40))])

# 32-35: age limits (birthday on the as-of date)
vig(32, "male", "1996-11-02", "A", "age 29 (30th birthday the day after as-of) -> no score")
vig(33, "female", "1996-11-01", "A", "age 30 (birthday on as-of); smoker 15/day -> 3; 0.5 units/day -> alcohol 1",
    smoke_res=[smoker(ago(60)), cigs_per_day("15", ago(60))],
    alc_res=[alcohol_units("0.5", "units/day", "/d", ago(60))])
vig(34, "male", "1926-11-01", "A", "age 100 (birthday on as-of); smoker (LOINC status) 20/day -> 4; 70 units/week -> 10/day -> 5",
    smoke_res=[obs_cc(LOINC, "72166-2", "Tobacco smoking status", ago(60), SCT, "77176002", "Smoker"),
               cigs_per_day("20", ago(60))],
    alc_res=[alcohol_units("70", "units/week", "/wk", ago(60))])
vig(35, "female", "1925-11-01", "A", "age 101 -> no score")

# 36-38: records that do not count; sex unknown
vig(36, "female", "1956-06-06", "A", "refuted cancer, entered-in-error dementia, entered-in-error BMI 45 and smoker status, entered-in-error and cancelled antidepressant requests, not-taken statement -> all ignored",
    [condition(SCT, "254837009", "Malignant neoplasm of breast", "2019-06-01", ver="refuted"),
     condition(SCT, "52448006", "Dementia", "2024-03-03", ver="entered-in-error"),
     med_request(*CIT, ago(10), status="entered-in-error"), med_request(*CIT, ago(40), status="entered-in-error"),
     med_request(*CIT, ago(70)),
     med_request(*CIT, ago(15), status="cancelled"), med_request(*CIT, ago(25), status="cancelled"),
     med_statement(*SER, ago(35), status="not-taken")],
    bmi_res=[bmi("26", ago(300)), bmi("45", ago(10), status="entered-in-error")],
    smoke_res=[never_smoked(ago(400)), smoker(ago(5), status="entered-in-error")])
vig(37, "male", "1956-06-06", "A", "records after as-of ignored: BMI 35 (+30 d) over 27, current smoker (+60 d) over ex-smoker, Parkinson's (+1 d), 2nd prednisolone issue (+10 d)",
    [condition(SCT, "49049000", "Parkinson's disease (disorder)", ago(-1)),
     med_request(*PRED, ago(20)), med_request(*PRED, ago(-10))],
    bmi_res=[bmi("27", ago(100)), bmi("35", ago(-30))],
    smoke_res=[ex_smoker(ago(300)), smoker(ago(-60))])
vig(38, "unknown", "1956-06-06", "A", "sex unknown -> no score")

# 39-40: boundaries
vig(39, "female", "1956-06-06", "A", "BMI exactly 40 recorded -> 40, no clamp note; smoker 10/day -> moderate 3; 7 units/week = 1/day -> light 2",
    bmi_res=[bmi("40.0", ago(30))],
    smoke_res=[smoker(ago(60)), cigs_per_day("10", ago(60))],
    alc_res=[alcohol_units("7", "units/week", "/wk", ago(60))])
vig(40, "male", "1956-06-06", "A", "derived BMI 50 kg / (1.70 m)^2 = 17.3 -> clamped 20 (note); antidepressant as 2 MedicationStatements in 6 months -> 1; hip fracture on the 50th birthday -> b_fracture4",
    [med_statement(*SER, ago(20)), med_statement(*SER, ago(90)),
     condition(SCT, "208566002", "(Closed fracture of neck of femur) or (hip fracture NOS) (disorder)", "2006-06-06")],
    bmi_res=[weight("50", "kg", "kg", ago(40)), height("170", "cm", "cm", ago(40))])


def bundle(v):
    pid = f"qfv-{v['n']:02d}"
    base = f"urn:uuid:7f7e0000-0000-4000-8000-{v['n']:06d}"
    pref = base + "000000"
    eth = ""
    if v["eth"]:
        eth = (f"<extension url={a(ETH_URL)}><valueCodeableConcept>"
               f"{coding(ETH_SYS, v['eth'], ETH_DISPLAY[v['eth']])}</valueCodeableConcept></extension>")
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f"<!-- {pid} (as-of 2026-11-01): {v['what'].replace('--', '-')} -->",
           '<Bundle xmlns="http://hl7.org/fhir">', f"<id value='{pid}-bundle'/>", "<type value='collection'/>",
           f"<entry><fullUrl value='{pref}'/><resource><Patient><id value='{pid}'/>{eth}"
           f"<name><family value='Vignette'/><given value='Q{v['n']:02d}'/></name>"
           f"<gender value='{v['sex']}'/><birthDate value='{v['birth']}'/></Patient></resource></entry>"]
    for i, r in enumerate(v["bmi"] + v["smoke"] + v["alc"] + v["res"], start=1):
        r = r.replace("{P}", pref).replace("{ID}", f"{pid}-r{i}")
        out.append(f"<entry><fullUrl value='urn:uuid:7f7e0000-0000-4000-8000-{v['n']:06d}{i:06d}'/>"
                   f"<resource>{r}</resource></entry>")
    out.append("</Bundle>")
    return pid, "\n".join(out) + "\n"


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for v in V:
        pid, xml = bundle(v)
        with open(os.path.join(outdir, pid + ".xml"), "w") as f:
            f.write(xml)
    print(f"wrote {len(V)} bundles to {outdir}")


if __name__ == "__main__":
    main()
