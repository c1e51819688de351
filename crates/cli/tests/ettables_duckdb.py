#!/usr/bin/env python3
"""ettables' tables, queried with DuckDB, against the tools' own answers.

Run by crates/cli/tests/ettables.rs (so `cargo test` runs it) with the paths
of the built binaries; exits 77 when the duckdb package is missing (the Rust
test then fails in CI and skips elsewhere). Checks, on the shipped traces and
bundles:
  1. event counts per input and kind equal etgrep's;
  2. the slowest inbound requests across several traces equal the README's
     jq example over `regiongraph -json -summarize`;
  3. bundles ranked by goroutines in serveHTTP equal apshuffle's ranking;
  4. the README's stop-the-world query gives unstoppable's pauses;
  5. the critical paths are regiongraph -critical-path's, segment by segment.
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys

try:
    import duckdb
except ImportError:
    print("duckdb is not installed (pip install duckdb)", file=sys.stderr)
    sys.exit(77)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def fail(what, want, got):
    print(f"FAIL {what}\n  tool:   {want}\n  duckdb: {got}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    for tool in ("ettables", "etgrep", "regiongraph", "apshuffle", "unstoppable"):
        ap.add_argument("--" + tool, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    traces = sorted(glob.glob("testdata/traces/go1.*.trace"))
    http = sorted(glob.glob("testdata/traces/http-go1.*.trace"))
    bundles = ["testdata/bundles/gen", "testdata/bundles/corpus"]
    # The generated bundles' traces are bare headers: reported, and their
    # bundles' meta and profiles still written.
    done = subprocess.run([a.ettables, "-output", a.out, *traces, *http, *bundles], capture_output=True, text=True)
    problems = done.stderr.splitlines()
    if done.returncode != 1 or not problems or any(not p.startswith("ettables: testdata/bundles/gen/") for p in problems):
        fail("ettables' exit status and problems", "1, the generated bundles' traces", (done.returncode, problems))
    db = duckdb.connect()
    t = lambda name: f"read_parquet('{a.out}/{name}/*.parquet')"

    # 1. Event counts per kind, per input (traces and bundles' traces).
    got = collections.Counter()
    for inp, kind, n in db.sql(f"SELECT input, kind, count(*) FROM {t('events')} GROUP BY ALL").fetchall():
        got[(inp, kind)] = n
    inputs = traces + http
    broken = db.sql(f"SELECT count(*) FROM {t('bundles')} WHERE trace_error IS NOT NULL").fetchall()[0][0]
    if broken != len(problems):
        fail("bundles with a broken trace", len(problems), broken)
    inputs += [r[0] for r in db.sql(f"SELECT input FROM {t('bundles')} WHERE has_trace AND trace_error IS NULL ORDER BY 1").fetchall()]
    if len(inputs) < len(traces) + len(http) + 2:
        fail("bundles with traces", ">= 2", len(inputs) - len(traces) - len(http))
    want = collections.Counter()
    for inp in inputs:
        for line in run([a.etgrep, "-input", inp]).splitlines():
            want[(inp, line.split(" ", 4)[3])] += 1
    if want != got:
        diff = {k: (want[k], got[k]) for k in set(want) | set(got) if want[k] != got[k]}
        fail("event counts per kind (tool, duckdb)", "", sorted(diff.items())[:10])
    print(f"ok: event counts, {sum(want.values())} events in {len(inputs)} inputs, {len(set(k for _, k in want))} kinds")

    # 2. The README's slowest inbound requests across several traces.
    rows = []
    for line in run([a.regiongraph, "-json", "-summarize", *http]).splitlines():
        s = json.loads(line)
        if s["Root"]["Kind"] == "server/http":
            rows.append((s["LengthNs"], s["Trace"], s["Root"]["G"], s["Root"]["StartNs"]))
    key = lambda r: (-r[0], r[1], r[2], r[3])
    want = sorted(rows, key=key)
    got = db.sql(
        f"""SELECT length_ns, input, root_g, start_ns FROM {t('trees')}
            WHERE root_kind = 'server/http' AND input LIKE 'testdata/traces/http-%'
            ORDER BY length_ns DESC, input, root_g, start_ns"""
    ).fetchall()
    if len(want) < 10 or want != got:
        fail("slowest requests", want[:3], got[:3])
    print(f"ok: slowest requests, {len(want)} requests in {len(http)} traces, top {want[0]}")

    # 3. apshuffle's ranking: goroutines in serveHTTP, per bundle.
    root = "testdata/bundles/gen"
    ranked = [json.loads(l) for l in run([a.apshuffle, "-C", root, "-profile-sort=goroutine", "-focus=serveHTTP", "-json"]).splitlines()]
    want = [(r["path"], r["value"]) for r in ranked]
    got = db.sql(
        f"""WITH hit AS (
              SELECT DISTINCT input, stack_id FROM {t('stacks')} AS st JOIN {t('frames')} AS fr USING (input, frame_id)
              WHERE regexp_matches(func, 'serveHTTP') OR regexp_matches(file, 'serveHTTP'))
            SELECT s.input, sum(CASE WHEN h.stack_id IS NULL THEN 0 ELSE s.value END)::BIGINT AS v
            FROM {t('samples')} s LEFT JOIN hit h USING (input, stack_id)
            WHERE s.profile = 'goroutine' AND s.is_default AND s.input LIKE '{root}/%'
            GROUP BY s.input ORDER BY v DESC, s.input"""
    ).fetchall()
    got = [(i[len(root) + 1 :], v) for i, v in got]
    if len(want) < 10 or [v for _, v in want] != [v for _, v in got] or sorted(want) != sorted(got):
        fail("apshuffle ranking", want, got)
    print(f"ok: apshuffle ranking of {len(want)} bundles, top {want[0]}")

    # 4. Stop-the-world pauses: every pause's length, as unstoppable's total.
    want = []
    for inp in traces + http:
        for line in run([a.unstoppable, "-json", inp]).splitlines():
            p = json.loads(line)
            want.append((inp, "stop-the-world (%s)" % p["kind"], p["total_ns"]))
    got = db.sql(
        f"""SELECT input, name, end_ns - time_ns AS length_ns FROM (
              SELECT *, lead(time_ns) OVER (PARTITION BY input, resource_id ORDER BY seq) AS end_ns
              FROM {t('events')}
              WHERE kind IN ('RangeBegin', 'RangeEnd') AND name LIKE 'stop-the-world%')
            WHERE kind = 'RangeBegin' AND input LIKE 'testdata/traces/%'"""
    ).fetchall()
    if len(want) < 20 or sorted(want) != sorted(got):
        fail("stop-the-world pauses", sorted(want)[:3], sorted(got)[:3])
    print(f"ok: {len(want)} stop-the-world pauses, the longest {max(w[2] for w in want)} ns")

    # 5. Critical paths, segment by segment.
    want = []
    for inp in http:
        for line in run([a.regiongraph, "-critical-path", "-json", inp]).splitlines():
            p = json.loads(line)
            r = p["Root"]
            for s in p["Path"]:
                want.append((inp, r["Kind"], r["G"], s["G"], s["State"], s.get("Reason"), s["StartNs"], s["LengthNs"], s.get("Func")))
    got = db.sql(
        f"""SELECT input, root_kind, root_g, g, state, reason, start_ns, length_ns, func
            FROM {t('critical_path')} WHERE input LIKE 'testdata/traces/http-%'"""
    ).fetchall()
    if len(want) < 100 or sorted(want, key=repr) != sorted(got, key=repr):
        fail("critical paths", sorted(want, key=repr)[:2], sorted(got, key=repr)[:2])
    print(f"ok: critical paths, {len(want)} segments")


if __name__ == "__main__":
    main()
