#!/usr/bin/env bash
# Seeds the fuzz corpora (under fuzz/corpus/, not committed) from the
# fixtures: traces whole and cut short (read_trace, regions), bundle zips
# and their members (autoprof_zip, autoprof_meta, pprof), pattern files
# (patterns), regiongraph summaries (etviz_json), scope_tls text lines
# (scope_chart) and -match expressions (match_expr).
set -euo pipefail
cd "$(dirname "$0")"
seed() { mkdir -p "corpus/$1"; }
for target in read_trace regions; do
  seed "$target"
  for t in ../testdata/traces/*.trace; do
    n=$(basename "$t" .trace)
    cp "$t" "corpus/$target/$n"
    head -c 4096 "$t" > "corpus/$target/$n-head"
  done
done
seed autoprof_zip; seed autoprof_meta; seed pprof
i=0
for z in ../testdata/bundles/corpus/*.zip ../testdata/bundles/gen/*.zip; do
  i=$((i + 1))
  cp "$z" "corpus/autoprof_zip/$i.zip"
  python3 - "$z" "$i" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for name in z.namelist():
    if name == "meta":
        open(f"corpus/autoprof_meta/{sys.argv[2]}", "wb").write(z.read(name))
    elif name.startswith("pprof/") and name != "pprof/trace":
        out = f"corpus/pprof/{sys.argv[2]}-{name[6:]}"
        open(out, "wb").write(z.read(name))
PY
done
seed patterns
cp ../crates/regions/src/builtin.toml corpus/patterns/builtin.toml
cp ../testdata/expected/scope/tls-handshake-patterns.toml corpus/patterns/tls.toml
seed etviz_json
for s in ../testdata/expected/regiongraph/*.summary.json.gz; do
  n=$(basename "$s" .summary.json.gz)
  { gunzip -c "$s" || true; } | head -n 20 > "corpus/etviz_json/$n"
done
seed scope_chart
cp ../crates/scope/src/chart/sample.txt corpus/scope_chart/sample.txt
head -n 40 ../testdata/expected/scope/tls-go1.21.txt > corpus/scope_chart/tls
seed match_expr
printf '%s' 'Any "**" "runtime/trace.WithRegion" "**"' > corpus/match_expr/any
printf '%s' 'GoBlockSync "**"' > corpus/match_expr/block
printf '%s' 'StateTransition "**" `main\.` "**"' > corpus/match_expr/state
printf '%s' 'GoSysCall "runtime.*" "**"' > corpus/match_expr/old
