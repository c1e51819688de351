#!/usr/bin/env bash
# Benchmark for ettables (not run by CI). Generates a pile of inputs:
# N_BUNDLES Autoprof bundles (bench/gen-bundles: service-sized heap and
# goroutine profiles) and N_TRACES HTTP traces (testdata/gen/httpgen, each
# run serving REQUESTS requests), then measures, in the same run:
#   - ettables over the whole pile (wall time, CPU, peak memory);
#   - one DuckDB query over the result (the README's slowest requests, and
#     time waiting by reason per host), in a Python process;
#   - ettables on one small and one large trace (LARGE, default a trace of
#     the pile made REPEAT times longer), to see whether memory grows with
#     the input.
#
# Environment: N_BUNDLES (default 300), N_TRACES (default 200), REQUESTS
# (default 100), WORK (scratch folder, default a new temporary one), GO (go
# command, default `go`), ETTABLES (our binary; default: build it),
# CARGO_TARGET_DIR (as for cargo). Needs Python's duckdb.
set -euo pipefail

N_BUNDLES=${N_BUNDLES:-300}
N_TRACES=${N_TRACES:-200}
REQUESTS=${REQUESTS:-100}
GO=${GO:-go}
WORK=${WORK:-$(mktemp -d)}
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}

bin=${ETTABLES:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet --bin ettables --manifest-path "$repo/Cargo.toml"
    bin=$target/release/ettables
fi

pile=$WORK/pile
if [ ! -d "$pile/bundles" ]; then
    echo "generating $N_BUNDLES bundles in $pile/bundles" >&2
    (cd "$repo/bench/gen-bundles" && GOFLAGS=-mod=mod "$GO" run . -zips "$pile/bundles" -n "$N_BUNDLES")
fi
if [ ! -d "$pile/traces" ]; then
    echo "generating $N_TRACES traces in $pile/traces" >&2
    mkdir -p "$pile/traces.tmp"
    (cd "$repo/testdata/gen/httpgen" && GOFLAGS=-mod=mod "$GO" build -o "$WORK/httpgen" .)
    for i in $(seq -w 1 "$N_TRACES"); do
        "$WORK/httpgen" -o "$pile/traces.tmp/http-$i.trace" -requests "$REQUESTS" > /dev/null 2>&1
    done
    mv "$pile/traces.tmp" "$pile/traces"
fi
large=${LARGE:-$WORK/large.trace}
if [ ! -s "$large" ]; then
    "$WORK/httpgen" -o "$large" -requests $((REQUESTS * ${REPEAT:-20})) > /dev/null 2>&1
fi

# Runs "$@"; prints "wall cpu rss_kb".
measure() {
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.out" "$@" > /dev/null 2> "$WORK/stderr.out" || {
        echo "failed: $*" >&2
        cat "$WORK/stderr.out" >&2
        exit 1
    }
    awk '{printf "%6.2f s wall %6.2f s CPU %8d KB peak", $1, $2 + $3, $4}' "$WORK/time.out"
}

inputs=$(find "$pile" -type f | wc -l)
size=$(du -sh "$pile" | cut -f1)
rm -rf "$WORK/tables"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "ettables over $inputs inputs ($size; $N_BUNDLES bundles, $N_TRACES traces):"
echo "  $(measure "$bin" -output "$WORK/tables" "$pile")"
echo "  output: $(find "$WORK/tables" -name '*.parquet' | wc -l) files, $(du -sh "$WORK/tables" | cut -f1)"

cat > "$WORK/query.py" <<'PY'
import sys, duckdb
t = sys.argv[1]
db = duckdb.connect()
print(db.sql(f"""SELECT length_ns, input, root_g, start_ns FROM '{t}/trees/*.parquet'
                 WHERE root_kind = 'server/http' ORDER BY length_ns DESC LIMIT 3""").fetchall(), file=sys.stderr)
print(db.sql(f"""SELECT b.hostname, count(*) AS samples, sum(value) AS goroutines
                 FROM '{t}/samples/*.parquet' s JOIN '{t}/bundles/*.parquet' b USING (input)
                 WHERE s.profile = 'goroutine' AND s.is_default GROUP BY ALL ORDER BY 1""").fetchall()[:3], file=sys.stderr)
PY
echo "DuckDB: slowest requests across all traces, goroutines per host:"
echo "  $(measure python3 "$WORK/query.py" "$WORK/tables")"
python3 "$WORK/query.py" "$WORK/tables" 2>&1 | sed 's/^/  /'

small=$(find "$pile/traces" -type f | sort | head -n 1)
for t in "$small" "$large"; do
    rm -rf "$WORK/one"
    echo "ettables on one trace of $(du -h "$t" | cut -f1):"
    echo "  $(measure "$bin" -output "$WORK/one" "$t")"
done
