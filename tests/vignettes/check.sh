#!/usr/bin/env bash
# Black-box check of the clinical rules (clinical-rules.md section 7) against the vignettes in this directory.
# usage: check.sh PATH/TO/fls [extra fls screen options, e.g. --data DIR]
# Screens every vig-*.xml at as-of 2026-11-01 and compares, per patient, with expected.csv:
#   fls_priority, falls_population, falls_referral (exact), fls_reasons and falls_reasons (as sets),
#   and the optional note columns (notes_required must all be present, notes_absent must all be absent).
# Exit 0 when everything matches, 1 on any mismatch, 2 on usage/run errors.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 PATH/TO/fls [fls screen options...]" >&2
	exit 2
fi
FLS=$1
shift
DIR=$(cd "$(dirname "$0")" && pwd)
[ -x "$FLS" ] || { echo "check.sh: $FLS is not executable" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fls-vignettes.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

"$FLS" screen --as-of 2026-11-01 --top 0 "$@" --decisions "$TMP/decisions.csv" "$DIR"/vig-*.xml \
	>"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
if [ $rc -ne 0 ] || [ ! -s "$TMP/decisions.csv" ]; then
	echo "check.sh: fls screen failed (exit $rc)" >&2
	cat "$TMP/stderr" >&2
	exit 2
fi

awk -v expfile="$DIR/expected.csv" '
# split a CSV line into f[1..n], honouring double-quoted fields
function csvsplit(line, f,    n, i, c, q, cur) {
	n = 0; cur = ""; q = 0
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
# canonical form of a |-joined set: sorted, deduplicated, |-joined
function canon(s,    a, n, i, j, t, out) {
	gsub(/^[ \t]+|[ \t]+$/, "", s)
	if (s == "") return ""
	n = split(s, a, "|")
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	out = ""
	for (i = 1; i <= n; i++) if (i == 1 || a[i] != a[i - 1]) out = out (out == "" ? "" : "|") a[i]
	return out
}
function has(set, id,    a, n, i) {
	n = split(set, a, "|")
	for (i = 1; i <= n; i++) if (a[i] == id) return 1
	return 0
}
function bad(pid, what, want, got) {
	printf "MISMATCH %s %s: expected [%s] got [%s]\n", pid, what, want, got
	nbad++
	badpid[pid] = 1
}
BEGIN {
	# expected.csv
	while ((getline line < expfile) > 0) {
		sub(/\r$/, "", line)
		if (line == "" || line ~ /^#/) continue
		n = csvsplit(line, f)
		if (!ehead) { for (i = 1; i <= n; i++) ecol[f[i]] = i; ehead = 1; continue }
		pid = f[ecol["patient_id"]]
		order[++npid] = pid
		E[pid, "prio"] = f[ecol["fls_priority"]]
		E[pid, "flsr"] = canon(f[ecol["fls_reasons"]])
		E[pid, "pop"] = f[ecol["falls_population"]]
		E[pid, "ref"] = f[ecol["falls_referral"]]
		E[pid, "fallr"] = canon(f[ecol["falls_reasons"]])
		E[pid, "nreq"] = ("notes_required" in ecol) ? f[ecol["notes_required"]] : ""
		E[pid, "nabs"] = ("notes_absent" in ecol) ? f[ecol["notes_absent"]] : ""
		E[pid, "spec"] = ("spec" in ecol) ? f[ecol["spec"]] : ""
	}
	close(expfile)
}
{
	sub(/\r$/, "")
	n = csvsplit($0, f)
	if (FNR == 1) { for (i = 1; i <= n; i++) dcol[f[i]] = i; next }
	pid = f[dcol["patient_id"]]
	seen[pid] = 1
	G[pid, "prio"] = f[dcol["fls_priority"]]
	G[pid, "flsr"] = canon(f[dcol["fls_reasons"]])
	G[pid, "pop"] = f[dcol["falls_population"]]
	G[pid, "ref"] = f[dcol["falls_referral"]]
	G[pid, "fallr"] = canon(f[dcol["falls_reasons"]])
	G[pid, "notes"] = f[dcol["notes"]]
	if (!((pid, "prio") in E)) { printf "UNEXPECTED patient %s in the output (not in expected.csv)\n", pid; nbad++ }
}
END {
	for (k = 1; k <= npid; k++) {
		pid = order[k]
		if (!(pid in seen)) { bad(pid, "row", "present", "missing from decisions.csv"); continue }
		if (E[pid, "prio"] != G[pid, "prio"]) bad(pid, "fls_priority", E[pid, "prio"], G[pid, "prio"])
		if (E[pid, "flsr"] != G[pid, "flsr"]) bad(pid, "fls_reasons", E[pid, "flsr"], G[pid, "flsr"])
		if (E[pid, "pop"] != G[pid, "pop"]) bad(pid, "falls_population", E[pid, "pop"], G[pid, "pop"])
		if (E[pid, "ref"] != G[pid, "ref"]) bad(pid, "falls_referral", E[pid, "ref"], G[pid, "ref"])
		if (E[pid, "fallr"] != G[pid, "fallr"]) bad(pid, "falls_reasons", E[pid, "fallr"], G[pid, "fallr"])
		m = split(E[pid, "nreq"], a, "|")
		for (i = 1; i <= m; i++) if (a[i] != "" && !has(G[pid, "notes"], a[i]))
			bad(pid, "note required", a[i], G[pid, "notes"])
		m = split(E[pid, "nabs"], a, "|")
		for (i = 1; i <= m; i++) if (a[i] != "" && has(G[pid, "notes"], a[i]))
			bad(pid, "note must be absent", "no " a[i], G[pid, "notes"])
		if (pid in badpid) printf "  (%s: %s)\n", pid, E[pid, "spec"]
		else nok++
	}
	printf "%d vignettes, %d passed, %d failed (%d mismatching fields)\n", npid, nok + 0, npid - nok, nbad + 0
	exit (nbad > 0 ? 1 : 0)
}
' "$TMP/decisions.csv"
