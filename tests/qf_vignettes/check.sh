#!/usr/bin/env bash
# Black-box check of how fls maps a FHIR record onto the QFracture-2012 inputs (qfracture-reference.md 5-7,
# clinical-rules.md 6, 7.1, 7.5), against the hand-written expectations in expected_inputs.csv.
# usage: check.sh PATH/TO/fls [extra fls options, e.g. --data DIR]
#   1. `fls risk expected_inputs.csv` turns each expected input row into the expected MOF and hip risks;
#   2. `fls screen --as-of 2026-11-01 --decisions` screens every qfv-*.xml;
#   3. per patient: mof10_pct and hip10_pct equal to 1e-9 relative (expected_status ok), or both empty and
#      risk_status equal to expected_status; every id in notes_required present; every id in notes_absent absent.
# Exit 0 when everything matches, 1 on any mismatch, 2 on usage/run errors.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 PATH/TO/fls [fls options...]" >&2
	exit 2
fi
FLS=$1
shift
case "$FLS" in -h|--help) echo "usage: $0 PATH/TO/fls [fls options...]"; exit 2 ;; esac
DIR=$(cd "$(dirname "$0")" && pwd)
[ -x "$FLS" ] && [ -f "$FLS" ] || { echo "check.sh: $FLS is not an executable file" >&2; exit 2; }
[ -f "$DIR/expected_inputs.csv" ] || { echo "check.sh: $DIR/expected_inputs.csv missing" >&2; exit 2; }
ls "$DIR"/qfv-*.xml >/dev/null 2>&1 || { echo "check.sh: no qfv-*.xml in $DIR (run gen.py)" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fls-qfv.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --model is the only option `fls risk` shares with `fls screen`; pass it on when given.
RISK_OPTS=()
prev=""
for o in "$@"; do
	[ "$prev" = "--model" ] && RISK_OPTS=(--model "$o")
	case "$o" in --model=*) RISK_OPTS=("$o") ;; esac
	prev=$o
done
if [ ${#RISK_OPTS[@]} -eq 0 ]; then
	prev=""
	for o in "$@"; do
		if [ "$prev" = "--data" ]; then
			RISK_OPTS=(--model "$o/models/qfracture-2012/coefficients.csv")
		fi
		prev=$o
	done
fi

"$FLS" risk ${RISK_OPTS[@]+"${RISK_OPTS[@]}"} "$DIR/expected_inputs.csv" >"$TMP/expected_risks.csv" 2>"$TMP/risk.stderr"
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$TMP/expected_risks.csv" ]; then
	echo "check.sh: fls risk failed (exit $rc)" >&2
	cat "$TMP/risk.stderr" >&2
	exit 2
fi

"$FLS" screen --as-of 2026-11-01 --top 0 "$@" --decisions "$TMP/decisions.csv" "$DIR"/qfv-*.xml \
	>"$TMP/screen.stdout" 2>"$TMP/screen.stderr"
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$TMP/decisions.csv" ]; then
	echo "check.sh: fls screen failed (exit $rc)" >&2
	cat "$TMP/screen.stderr" >&2
	exit 2
fi

awk -v expfile="$TMP/expected_risks.csv" -v decfile="$TMP/decisions.csv" '
# split a CSV line into f[1..n], honouring double-quoted fields
function csvsplit(line, f,    n, i, c, q, cur) {
	n = 0; cur = ""; q = 0
	sub(/\r$/, "", line)
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0
			} else cur = cur c
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = cur; cur = "" }
		else cur = cur c
	}
	f[++n] = cur
	return n
}
function abs(x) { return x < 0 ? -x : x }
function close_enough(a, b,    d, m) {
	if (a !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ || b !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) return 0
	a += 0; b += 0
	d = abs(a - b); m = abs(a) > abs(b) ? abs(a) : abs(b)
	return d <= 1e-9 * m || d == 0
}
function has(list, id,    k, n, p) {
	n = split(list, p, "|")
	for (k = 1; k <= n; k++) if (p[k] == id) return 1
	return 0
}
function bad(pid, msg) { printf "MISMATCH %s: %s\n", pid, msg; nbad++; badpid[pid] = 1 }
BEGIN {
	nbad = 0
	# expected inputs + the risks fls risk computed from them
	getline hdr < expfile
	nh = csvsplit(hdr, h)
	for (i = 1; i <= nh; i++) EC[h[i]] = i
	split("patient_id expected_status notes_required notes_absent mof_risk_pct hip_risk_pct mof_status hip_status", need, " ")
	for (k in need) if (!(need[k] in EC)) { print "check.sh: expected risks lack column " need[k] > "/dev/stderr"; exit 2 }
	ne = 0
	while ((getline line < expfile) > 0) {
		if (line == "") continue
		n = csvsplit(line, f)
		pid = f[EC["patient_id"]]
		order[++ne] = pid
		est[pid] = f[EC["expected_status"]]
		req[pid] = f[EC["notes_required"]]
		absn[pid] = f[EC["notes_absent"]]
		emof[pid] = f[EC["mof_risk_pct"]]; ehip[pid] = f[EC["hip_risk_pct"]]
		emst[pid] = f[EC["mof_status"]]; ehst[pid] = f[EC["hip_status"]]
	}
	# fls screen decisions
	getline hdr < decfile
	nh = csvsplit(hdr, h)
	for (i = 1; i <= nh; i++) DC[h[i]] = i
	split("patient_id mof10_pct hip10_pct risk_status notes", need, " ")
	for (k in need) if (!(need[k] in DC)) { print "check.sh: decisions lack column " need[k] > "/dev/stderr"; exit 2 }
	while ((getline line < decfile) > 0) {
		if (line == "") continue
		n = csvsplit(line, f)
		pid = f[DC["patient_id"]]
		seen[pid] = 1
		gmof[pid] = f[DC["mof10_pct"]]; ghip[pid] = f[DC["hip10_pct"]]
		gst[pid] = f[DC["risk_status"]]; gnotes[pid] = f[DC["notes"]]
		if (!(pid in est)) bad(pid, "patient in the fls output but not in expected_inputs.csv")
	}
	for (i = 1; i <= ne; i++) {
		pid = order[i]
		if (!(pid in seen)) { bad(pid, "no decision row from fls screen"); continue }
		if (est[pid] == "ok") {
			if (emst[pid] != "ok" || ehst[pid] != "ok")
				bad(pid, "expected input row refused by fls risk (mof: " emst[pid] "; hip: " ehst[pid] ")")
			if (gst[pid] != "ok")
				bad(pid, "risk_status \"" gst[pid] "\", expected ok (expected mof " emof[pid] ", hip " ehip[pid] ")")
			else {
				if (!close_enough(gmof[pid], emof[pid]))
					bad(pid, "mof10_pct " gmof[pid] ", expected " emof[pid])
				if (!close_enough(ghip[pid], ehip[pid]))
					bad(pid, "hip10_pct " ghip[pid] ", expected " ehip[pid])
			}
		} else {
			if (gst[pid] != est[pid])
				bad(pid, "risk_status \"" gst[pid] "\", expected \"" est[pid] "\"")
			if (gmof[pid] != "" || ghip[pid] != "")
				bad(pid, "risks \"" gmof[pid] "\"/\"" ghip[pid] "\", expected both empty")
		}
		nr = split(req[pid], r, "|")
		for (k = 1; k <= nr; k++) if (r[k] != "" && !has(gnotes[pid], r[k]))
			bad(pid, "note " r[k] " missing (notes: " gnotes[pid] ")")
		na = split(absn[pid], r, "|")
		for (k = 1; k <= na; k++) if (r[k] != "" && has(gnotes[pid], r[k]))
			bad(pid, "note " r[k] " present, expected absent (notes: " gnotes[pid] ")")
	}
	np = 0
	for (p in badpid) np++
	printf "%d vignettes, %d mismatches in %d vignettes\n", ne, nbad, np
	exit nbad ? 1 : 0
}'
