#!/usr/bin/env python3
"""Generate the black-box rule vignettes (one FHIR R4 collection Bundle per patient).

Written from ../../../shared/spec/clinical-rules.md (section 7) only. As-of date 2026-11-01.
Run from anywhere: python3 gen.py  (writes vig-NN.xml beside this file).
Expectations are in expected.csv (written by hand from the spec, not generated).
"""
import os
from xml.sax.saxutils import quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
ICD = "http://hl7.org/fhir/sid/icd-10"
SCT = "http://snomed.info/sct"
DMD = "https://dmd.nhs.uk"
ATC = "http://www.whocc.no/atc"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"

BIRTH75 = "1951-05-20"  # 75 on 2026-11-01


class B:
    def __init__(self, pid, birth=BIRTH75, sex="female", deceased=None):
        self.pid = pid
        self.n = 0
        self.entries = []
        self.purl = self.url()
        p = [f'<Patient>', f'  <id value="{pid}"/>',
             '  <identifier>', '    <system value="https://fhir.nhs.uk/Id/nhs-number"/>',
             '    <value value="9990000000"/>', '  </identifier>',
             '  <name>', '    <family value="Vignette"/>', f'    <given value="{pid}"/>', '  </name>',
             f'  <gender value="{sex}"/>', f'  <birthDate value="{birth}"/>']
        if deceased:
            p.append(f'  <deceasedDateTime value="{deceased}"/>')
        p.append('</Patient>')
        self.entries.append((self.purl, p))

    def url(self):
        self.n += 1
        num = int(self.pid.split("-")[1])
        return f"urn:uuid:7e570000-0000-4000-8000-{num:06d}{self.n:06d}"

    def _rid(self):
        return f"{self.pid}-r{self.n}"

    @staticmethod
    def coding(system, code, display="vignette code", ind="    "):
        return [f"{ind}<coding>", f'{ind}  <system value="{system}"/>', f'{ind}  <code value="{code}"/>',
                f"{ind}  <display value={quoteattr(display)}/>", f"{ind}</coding>"]

    def cond(self, system, code, date, enc=None, verification=None, display="vignette code"):
        u = self.url()
        r = ["<Condition>", f'  <id value="{self._rid()}"/>']
        if verification:
            r += ["  <verificationStatus>",
                  *self.coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification, verification),
                  "  </verificationStatus>"]
        r += ["  <code>", *self.coding(system, code, display), "  </code>",
              "  <subject>", f'    <reference value="{self.purl}"/>', "  </subject>"]
        if enc:
            r += ["  <encounter>", f'    <reference value="{enc}"/>', "  </encounter>"]
        if date:
            r.append(f'  <onsetDateTime value="{date}"/>')
        r.append("</Condition>")
        self.entries.append((u, r))
        return u

    def enc(self, date, reasons=(), diagnoses=()):
        """reasons: list of (system, code); diagnoses: list of Condition fullUrls."""
        u = self.url()
        r = ["<Encounter>", f'  <id value="{self._rid()}"/>', '  <status value="finished"/>',
             "  <class>", '    <system value="http://terminology.hl7.org/CodeSystem/v3-ActCode"/>',
             '    <code value="EMER"/>', "  </class>",
             "  <subject>", f'    <reference value="{self.purl}"/>', "  </subject>",
             "  <period>", f'    <start value="{date}"/>', "  </period>"]
        for s, c in reasons:
            r += ["  <reasonCode>", *self.coding(s, c), "  </reasonCode>"]
        for d in diagnoses:
            r += ["  <diagnosis>", "    <condition>", f'      <reference value="{d}"/>', "    </condition>",
                  "  </diagnosis>"]
        r.append("</Encounter>")
        self.entries.append((u, r))
        return u

    def enc_with_fracture(self, date, reason, fx, cond_date=None):
        """An Encounter (reasonCode = reason) whose diagnosis is a Condition fx (dated cond_date, else the same day)."""
        e = self.url()
        c = self.cond(*fx, cond_date or date, enc=e)
        r = ["<Encounter>", f'  <id value="{self.pid}-enc"/>', '  <status value="finished"/>',
             "  <class>", '    <system value="http://terminology.hl7.org/CodeSystem/v3-ActCode"/>',
             '    <code value="EMER"/>', "  </class>",
             "  <subject>", f'    <reference value="{self.purl}"/>', "  </subject>",
             "  <period>", f'    <start value="{date}"/>', "  </period>",
             "  <reasonCode>", *self.coding(*reason), "  </reasonCode>",
             "  <diagnosis>", "    <condition>", f'      <reference value="{c}"/>', "    </condition>",
             "  </diagnosis>", "</Encounter>"]
        self.entries.insert(len(self.entries) - 1, (e, r))
        return e

    def obs(self, system, code, date, value=None, unit=None):
        u = self.url()
        r = ["<Observation>", f'  <id value="{self._rid()}"/>', '  <status value="final"/>',
             "  <code>", *self.coding(system, code), "  </code>",
             "  <subject>", f'    <reference value="{self.purl}"/>', "  </subject>",
             f'  <effectiveDateTime value="{date}"/>']
        if value is not None:
            r += ["  <valueQuantity>", f'    <value value="{value}"/>']
            if unit:
                r += [f'    <unit value="{unit}"/>', f'    <system value="{UCUM}"/>', f'    <code value="{unit}"/>']
            r.append("  </valueQuantity>")
        r.append("</Observation>")
        self.entries.append((u, r))
        return u

    @staticmethod
    def dosage(elem, dose_mg, freq, period=1, unit="d"):
        r = [f"  <{elem}>", "    <timing>", "      <repeat>", f'        <frequency value="{freq}"/>',
             f'        <period value="{period}"/>', f'        <periodUnit value="{unit}"/>', "      </repeat>",
             "    </timing>"]
        if dose_mg is not None:
            r += ["    <doseAndRate>", "      <doseQuantity>", f'        <value value="{dose_mg}"/>',
                  '        <unit value="mg"/>', f'        <system value="{UCUM}"/>', '        <code value="mg"/>',
                  "      </doseQuantity>", "    </doseAndRate>"]
        r.append(f"  </{elem}>")
        return r

    def medreq(self, system, code, date, dose_mg=None, freq=1, display="vignette medicine"):
        u = self.url()
        r = ["<MedicationRequest>", f'  <id value="{self._rid()}"/>', '  <status value="completed"/>',
             '  <intent value="order"/>', "  <medicationCodeableConcept>",
             *self.coding(system, code, display), "  </medicationCodeableConcept>",
             "  <subject>", f'    <reference value="{self.purl}"/>', "  </subject>",
             f'  <authoredOn value="{date}"/>']
        if dose_mg is not None:
            r += self.dosage("dosageInstruction", dose_mg, freq)
        r.append("</MedicationRequest>")
        self.entries.append((u, r))
        return u

    def medstmt(self, system, code, start, end=None, display="vignette medicine"):
        u = self.url()
        r = ["<MedicationStatement>", f'  <id value="{self._rid()}"/>',
             '  <status value="active"/>',
             "  <medicationCodeableConcept>", *self.coding(system, code, display),
             "  </medicationCodeableConcept>",
             "  <subject>", f'    <reference value="{self.purl}"/>', "  </subject>",
             "  <effectivePeriod>", f'    <start value="{start}"/>']
        if end:
            r.append(f'    <end value="{end}"/>')
        r += ["  </effectivePeriod>", "</MedicationStatement>"]
        self.entries.append((u, r))
        return u

    def xml(self, comment):
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               f"<!-- libfls rule vignette {self.pid} (synthetic; as-of 2026-11-01): {comment} -->",
               '<Bundle xmlns="http://hl7.org/fhir">', f'  <id value="{self.pid}"/>',
               '  <type value="collection"/>']
        for u, lines in self.entries:
            out += ["  <entry>", f'    <fullUrl value="{u}"/>', "    <resource>"]
            out += ["      " + l for l in lines]
            out += ["    </resource>", "  </entry>"]
        out.append("</Bundle>")
        return "\n".join(out) + "\n"


V = []


def vig(pid, comment, **kw):
    b = B(pid, **kw)
    V.append((b, comment))
    return b


# ---------------- common codes (all taken from ../../codes/*.csv) ----------------
HIP = (ICD, "S72.0")            # fracture_hip
HIP2 = (ICD, "S72.1")           # fracture_hip
VERT_T = (ICD, "S22.0")         # fracture_vertebral
VERT_L = (ICD, "S32.0")         # fracture_vertebral
VERT_MULTI = (ICD, "S22.1")     # fracture_vertebral + fracture_vertebral_multiple
WRIST = (ICD, "S52.5")          # fracture_wrist_distal_radius
HUMERUS = (ICD, "S42.2")        # fracture_proximal_humerus
PELVIS = (ICD, "S32.5")         # fracture_pelvis
RIB = (ICD, "S22.3")            # fracture_other_fragility_sites
UNSPEC = (ICD, "T14.2")         # fracture_site_unspecified
FINGER = (ICD, "S62.6")         # fracture_excluded_sites
FINGER_SCT = (SCT, "208456007") # fracture_excluded_sites (SNOMED)
STRESS = (ICD, "M84.3")         # fracture_nonfragility_mechanism
PATHFX_SCT = (SCT, "268029009") # fracture_nonfragility_mechanism (SNOMED)
HIST_FRAG = (SCT, "391092009")  # fracture_history
HIST_HIP = (SCT, "391093004")   # fracture_history
FALL_SCT = (SCT, "1912002")     # falls
RECURRENT = (SCT, "279992002")  # falls + falls_recurrent
W19 = (ICD, "W19")              # falls
W01 = (ICD, "W01")              # falls
W13 = (ICD, "W13")              # falls + fall_from_height_icd10
KNEE_CONTUSION = (ICD, "S80.0") # in S00-T14, in no code set
COLLAPSE = (ICD, "M48.5")       # fracture_vertebral (ICD-10 outside S00-T14)
BURN = (ICD, "T22.0")           # T20-T32 burns: outside S00-T14, in no code set
OSTEO = (ICD, "M81.0")          # osteoporosis (M81 category)
PARKINSONS = (ICD, "G20")
DEMENTIA = (ICD, "F03")
MILD = (SCT, "925791000000100")
MODERATE = (SCT, "925831000000107")
CARE_HOME = (SCT, "248171000000108")  # Lives in care home
EFI = (SCT, "1084961000000105")
DXA_HIP = (LOINC, "38264-8")
ALENDRONATE = (DMD, "1273311000001106")   # Alendronic acid 70mg tablets -> 6 months
ACLASTA = (DMD, "10422911000001106")      # Aclasta 5mg/100ml -> 15 months
PROLIA = (DMD, "17301811000001101")       # Prolia 60mg/1ml -> 7 months
TERIPARATIDE = (ATC, "H05AA02")           # 3 months
PRED5 = (DMD, "325427002")                # Prednisolone 5mg tablets
METHYLPRED2 = (DMD, "325411009")          # Methylprednisolone 2mg tablets

B60 = "1966-01-01"   # 60 on as-of
B54 = "1972-03-10"   # 54 on as-of; 50th birthday 2022-03-10
B58 = "1968-01-01"

# ---------------- FLS worklist ----------------
b = vig("vig-01", "recent hip fracture, untreated, no DXA")
b.cond(*HIP, "2026-09-01")
b = vig("vig-02", "vertebral fracture exactly 730 days before as-of (recent)")
b.cond(*VERT_T, "2024-11-01")
b = vig("vig-03", "vertebral fracture 731 days before as-of (not recent)")
b.cond(*VERT_T, "2024-10-31")
b = vig("vig-04", "recent wrist fracture, untreated")
b.cond(*WRIST, "2026-06-01")
b = vig("vig-05", "recent proximal humerus fracture, untreated; osteoporosis coded")
b.cond(*HUMERUS, "2026-03-15")
b.cond(*OSTEO, "2026-04-01")
b = vig("vig-06", "recent pelvis fracture, untreated, age 85", birth="1941-02-01")
b.cond(*PELVIS, "2026-07-01")
b = vig("vig-07", "recent rib fracture (other fragility site), untreated")
b.cond(*RIB, "2026-07-01")
b = vig("vig-08", "recent fracture of unspecified site, untreated")
b.cond(*UNSPEC, "2026-07-01")
b = vig("vig-09", "recent finger fracture only (excluded site)")
b.cond(*FINGER, "2026-07-01")
b = vig("vig-10", "recent stress fracture only (non-fragility mechanism)")
b.cond(*STRESS, "2026-07-01")
b = vig("vig-11", "hip fracture on an encounter with W13 fall from building (possible high energy)")
b.enc_with_fracture("2026-08-10", W13, HIP)
b = vig("vig-12", "wrist fracture the day before the 50th birthday (age 54 now)", birth=B54)
b.cond(*WRIST, "2022-03-09")
b = vig("vig-13", "wrist fracture on the 50th birthday (age 54 now), old", birth=B54)
b.cond(*WRIST, "2022-03-10")
b = vig("vig-14", "History of fragility fracture code only, dated at 68, untreated")
b.cond(*HIST_FRAG, "2020-01-01")
b = vig("vig-15", "History of hip fracture code dated at 48 (age 60 now)", birth=B60)
b.cond(*HIST_HIP, "2014-01-01")
b = vig("vig-16", "History of fragility fracture code dated at 54 (age 60 now)", birth=B60)
b.cond(*HIST_FRAG, "2020-06-01")
b = vig("vig-17", "alendronate 2026-08-01 (on therapy now), wrist fracture 2026-03-01 before it")
b.cond(*WRIST, "2026-03-01")
b.medreq(*ALENDRONATE, "2026-08-01")
b = vig("vig-18", "alendronate 2026-01-10, wrist fracture 2026-07-10 = last covered day; off therapy now")
b.medreq(*ALENDRONATE, "2026-01-10")
b.cond(*WRIST, "2026-07-10")
b = vig("vig-19", "alendronate 2026-01-10, wrist fracture 2026-07-11 = first uncovered day")
b.medreq(*ALENDRONATE, "2026-01-10")
b.cond(*WRIST, "2026-07-11")
b = vig("vig-20", "alendronate 2025-08-31 (+6 months clamps to 2026-02-28), wrist fracture 2026-02-28")
b.medreq(*ALENDRONATE, "2025-08-31")
b.cond(*WRIST, "2026-02-28")
b = vig("vig-21", "alendronate 2025-08-31 (+6 months clamps to 2026-02-28), wrist fracture 2026-03-01")
b.medreq(*ALENDRONATE, "2025-08-31")
b.cond(*WRIST, "2026-03-01")
b = vig("vig-22", "Aclasta 2025-08-01 (15 months: covers as-of), hip fracture 2026-01-01 on treatment")
b.medreq(*ACLASTA, "2025-08-01")
b.cond(*HIP, "2026-01-01")
b = vig("vig-23", "Aclasta 2025-07-31 (15 months: ends 2026-10-31), hip fracture 2026-01-01 on treatment")
b.medreq(*ACLASTA, "2025-07-31")
b.cond(*HIP, "2026-01-01")
b = vig("vig-24", "Prolia 2026-04-01 (7 months: covers as-of), old hip fracture 2023-06-01")
b.medreq(*PROLIA, "2026-04-01")
b.cond(*HIP, "2023-06-01")
b = vig("vig-25", "Prolia 2026-03-31 (7 months: ends 2026-10-31), old hip fracture 2023-06-01")
b.medreq(*PROLIA, "2026-03-31")
b.cond(*HIP, "2023-06-01")
b = vig("vig-26", "teriparatide (ATC) 2026-08-01 (3 months: covers as-of), wrist fracture 2026-05-01")
b.medreq(*TERIPARATIDE, "2026-08-01")
b.cond(*WRIST, "2026-05-01")
b = vig("vig-27", "teriparatide (ATC) 2026-07-31 (3 months: ends 2026-10-31), wrist fracture 2026-05-01")
b.medreq(*TERIPARATIDE, "2026-07-31")
b.cond(*WRIST, "2026-05-01")
b = vig("vig-28", "alendronate MedicationStatement 2025-01-01..2026-05-01 (+6 months covers as-of), wrist 2026-09-01")
b.medstmt(*ALENDRONATE, "2025-01-01", "2026-05-01")
b.cond(*WRIST, "2026-09-01")
b = vig("vig-29", "alendronate MedicationStatement 2025-01-01..2026-04-30 (+6 months ends 2026-10-30), wrist 2026-09-01")
b.medstmt(*ALENDRONATE, "2025-01-01", "2026-04-30")
b.cond(*WRIST, "2026-09-01")
b = vig("vig-30", "open alendronate MedicationStatement from 2020-01-01, old hip fracture 2023-06-01 on treatment")
b.medstmt(*ALENDRONATE, "2020-01-01")
b.cond(*HIP, "2023-06-01")
b = vig("vig-31", "two vertebral codes 90 days apart (one episode)")
b.cond(*VERT_T, "2025-01-01")
b.cond(*VERT_L, "2025-04-01")
b = vig("vig-32", "two vertebral codes 91 days apart (two episodes)")
b.cond(*VERT_T, "2025-01-01")
b.cond(*VERT_L, "2025-04-02")
b = vig("vig-33", "vertebral codes at A, A+80, A+160 (anchored, not chained: two episodes)")
b.cond(*VERT_T, "2025-01-01")
b.cond(*VERT_T, "2025-03-22")
b.cond(*VERT_T, "2025-06-10")
b = vig("vig-34", "old S22.1 multiple thoracic fractures (counts 2) + recent wrist index")
b.cond(*VERT_MULTI, "2019-05-01")
b.cond(*WRIST, "2026-06-01")
b = vig("vig-35", "recent wrist fracture, DXA hip T-score -3.5")
b.cond(*WRIST, "2026-06-01")
b.obs(*DXA_HIP, "2026-07-01", "-3.5")
b = vig("vig-36", "recent wrist fracture, recent DXA hip T-score -3.4")
b.cond(*WRIST, "2026-06-01")
b.obs(*DXA_HIP, "2026-10-01", "-3.4")
b = vig("vig-37", "recent wrist fracture, prednisolone 10 mg/day issued 123 and 31 days before as-of")
b.cond(*WRIST, "2026-06-01")
b.medreq(*PRED5, "2026-07-01", dose_mg=10)
b.medreq(*PRED5, "2026-10-01", dose_mg=10)
b = vig("vig-38", "recent wrist fracture, prednisolone 10 mg/day issued 89 and 31 days before as-of")
b.cond(*WRIST, "2026-06-01")
b.medreq(*PRED5, "2026-08-04", dose_mg=10)
b.medreq(*PRED5, "2026-10-01", dose_mg=10)
b = vig("vig-39", "recent wrist fracture, prednisolone 10 mg/day issued 90 and 31 days before as-of")
b.cond(*WRIST, "2026-06-01")
b.medreq(*PRED5, "2026-08-03", dose_mg=10)
b.medreq(*PRED5, "2026-10-01", dose_mg=10)
b = vig("vig-40", "recent wrist fracture, methylprednisolone 2 mg three times a day (= 7.5 mg prednisolone)")
b.cond(*WRIST, "2026-06-01")
b.medreq(*METHYLPRED2, "2026-07-01", dose_mg=2, freq=3)
b.medreq(*METHYLPRED2, "2026-10-01", dose_mg=2, freq=3)
b = vig("vig-41", "recent hip fracture, patient deceased 2026-10-15", deceased="2026-10-15")
b.cond(*HIP, "2026-09-01")
b = vig("vig-42", "hip and wrist fractures on the same date (index = hip)")
b.cond(*WRIST, "2026-06-01")
b.cond(*HIP, "2026-06-01")
b = vig("vig-43", "recent hip fracture 2025-03-01, later wrist fracture 2026-06-01 (index = wrist)")
b.cond(*HIP, "2025-03-01")
b.cond(*WRIST, "2026-06-01")
b = vig("vig-44", "hip fracture Condition with verificationStatus refuted")
b.cond(*HIP, "2026-09-01", verification="refuted")
b = vig("vig-45", "hip fracture dated after as-of (2026-11-02)")
b.cond(*HIP, "2026-11-02")

# ---------------- falls ----------------
b = vig("vig-46", "65th birthday on as-of, one fall", birth="1961-11-01")
b.cond(*FALL_SCT, "2026-06-01")
b = vig("vig-47", "age 64 (65th birthday the day after as-of), one fall, no risk marker", birth="1961-11-02")
b.cond(*FALL_SCT, "2026-06-01")
b = vig("vig-48", "age 64 with osteoporosis, falls on two dates", birth="1961-11-02")
b.cond(*OSTEO, "2020-01-01")
b.cond(*FALL_SCT, "2026-03-01")
b.cond(*FALL_SCT, "2026-06-01")
b = vig("vig-49", "age 58 with Parkinson's, one Recurrent falls code", birth=B58)
b.cond(*PARKINSONS, "2020-01-01")
b.cond(*RECURRENT, "2026-05-01")
b = vig("vig-50", "age 60 with dementia, one fall", birth=B60)
b.cond(*DEMENTIA, "2024-01-01")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-51", "age 60 with moderate frailty, one fall", birth=B60)
b.cond(*MODERATE, "2026-01-01")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-52", "age 60 with mild frailty, one fall", birth=B60)
b.cond(*MILD, "2026-01-01")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-53", "age 75, moderate frailty 2025-01-01 then mild frailty 2026-02-01 (latest wins), one fall")
b.cond(*MODERATE, "2025-01-01")
b.cond(*MILD, "2026-02-01")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-54", "age 75, eFI 0.25 (moderate), one fall")
b.obs(*EFI, "2026-02-01", "0.25")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-55", "age 75, eFI 0.24 (mild), one fall")
b.obs(*EFI, "2026-02-01", "0.24")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-56", "age 60, care-home code exactly 730 days before as-of, one fall", birth=B60)
b.cond(*CARE_HOME, "2024-11-01")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-57", "age 60, care-home code 731 days before as-of, one fall", birth=B60)
b.cond(*CARE_HOME, "2024-10-31")
b.cond(*FALL_SCT, "2026-05-01")
b = vig("vig-58", "age 75, one fall exactly 365 days before as-of")
b.cond(*FALL_SCT, "2025-11-01")
b = vig("vig-59", "age 75, one fall 366 days before as-of")
b.cond(*FALL_SCT, "2025-10-31")
b = vig("vig-60", "age 75, fall (W01) 2026-05-01, knee contusion S80.0 7 days later")
b.enc("2026-05-01", reasons=[W01])
b.cond(*KNEE_CONTUSION, "2026-05-08")
b = vig("vig-61", "age 75, fall (W01) 2026-05-01, knee contusion S80.0 8 days later")
b.enc("2026-05-01", reasons=[W01])
b.cond(*KNEE_CONTUSION, "2026-05-09")
b = vig("vig-62", "age 75, fall (W01) 2026-05-01, knee contusion S80.0 1 day before")
b.enc("2026-05-01", reasons=[W01])
b.cond(*KNEE_CONTUSION, "2026-04-30")
b = vig("vig-63", "age 75, fall and SNOMED finger fracture (excluded site) on the same day")
b.cond(*FALL_SCT, "2026-05-01")
b.cond(*FINGER_SCT, "2026-05-01")
b = vig("vig-64", "age 75, fall and SNOMED pathological fracture (non-fragility) on the same day")
b.cond(*FALL_SCT, "2026-05-01")
b.cond(*PATHFX_SCT, "2026-05-01")
b = vig("vig-65", "age 75, fall and ICD-10 M84.3 stress fracture (outside S00-T14) on the same day")
b.cond(*FALL_SCT, "2026-05-01")
b.cond(*STRESS, "2026-05-01")
b = vig("vig-66", "age 75, fall and History of fragility fracture code on the same day")
b.cond(*FALL_SCT, "2026-05-01")
b.cond(*HIST_FRAG, "2026-05-01")
b = vig("vig-67", "age 75, fall 2026-06-01, wrist fracture 365 days before the fall")
b.cond(*WRIST, "2025-06-01")
b.cond(*FALL_SCT, "2026-06-01")
b = vig("vig-68", "age 75, fall 2026-06-01, wrist fracture 366 days before the fall")
b.cond(*WRIST, "2025-05-31")
b.cond(*FALL_SCT, "2026-06-01")
b = vig("vig-69", "age 75, fall 2025-11-01, wrist fracture 2026-10-01 (after the fall)")
b.cond(*FALL_SCT, "2025-11-01")
b.cond(*WRIST, "2026-10-01")
b = vig("vig-70", "age 60, fall encounter W19 with wrist fracture diagnosis the same day", birth=B60)
b.enc_with_fracture("2026-06-01", W19, WRIST)
b = vig("vig-71", "age 82 in a care home with moderate frailty: injured recurrent faller with a pelvis fracture",
        birth="1944-03-01")
b.cond(*CARE_HOME, "2025-12-01")
b.cond(*MODERATE, "2026-01-15")
b.cond(*FALL_SCT, "2026-04-01")
b.cond(*FALL_SCT, "2026-08-01")
b.cond(*PELVIS, "2026-08-02")
b = vig("vig-72", "age 60, no fall, no risk marker (outside the population)", birth=B60)
b.cond(*KNEE_CONTUSION, "2026-05-01")
b = vig("vig-73", "age 75, fall and ICD-10 M48.5 collapsed vertebra (vertebral fragility code outside S00-T14) same day")
b.cond(*FALL_SCT, "2026-05-01")
b.cond(*COLLAPSE, "2026-05-01")
b = vig("vig-74", "age 75, fall 2026-05-01 and ICD-10 T22.0 burn (outside S00-T14) the next day")
b.cond(*FALL_SCT, "2026-05-01")
b.cond(*BURN, "2026-05-02")
b = vig("vig-75", "age 75, W19 encounter 2026-05-01 listing a knee-contusion Condition with its own onset 2026-04-20")
b.enc_with_fracture("2026-05-01", W19, KNEE_CONTUSION, cond_date="2026-04-20")

for b, comment in V:
    with open(os.path.join(HERE, f"{b.pid}.xml"), "w") as f:
        f.write(b.xml(comment))
print(f"wrote {len(V)} vignettes")
