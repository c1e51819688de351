# Shared by the benchmarks that time one of our binaries next to a reference
# (bench/grstates.sh, unstoppable.sh, readall.sh, etperfetto.sh,
# critical-path.sh): sourced once they set $top, then `bench_start`.

# The common start: $tc (Go toolchains), $runs (RUNS, default $1), $versions
# (the Go versions given after it, default 1.21 1.25), Go's environment for
# building generators, and the scratch folder $data (default bench/data).
bench_start() {
  tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
  runs=${RUNS:-$1}
  shift
  versions=("$@")
  [ ${#versions[@]} -gt 0 ] || versions=(1.21 1.25)
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
  unset GOROOT
  data=${data:-$top/bench/data}
  mkdir -p "$data"
}

# Builds our binary $1 and prints its path.
our_bin() {
  (cd "$top" && cargo build --release --quiet --bin "$1")
  echo "${CARGO_TARGET_DIR:-$top/target}/release/$1"
}

median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk "BEGIN{printf \"%.2f\", $1/($2>0?$2:0.001)}"; }

# Runs "$@" once; appends "wall cpu rss_kb" to file $1.
once() {
  local log=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$data/time.out" "$@" > /dev/null 2>&1
  awk '{print $1, $2 + $3, $4}' "$data/time.out" >> "$log"
}

# Makes trace file $2 (at least 10 MB) with Go $1's build of
# testdata/gen/tracegen, unless it exists.
big_trace() {
  local v=$1 trace=$2
  [ -s "$trace" ] && return
  (cd "$top/testdata/gen/tracegen" && "$tc/$v/bin/go" build -o "$data/tracegen-$v" .)
  GOMAXPROCS=4 "$data/tracegen-$v" -o "$trace" -repeat 120 -ticks 0
}

# Prints the ratios, then the medians of CPU, wall time and peak RSS, of
# the runs logged by `once` in $data/up.log (the reference, named $1,
# default "upstream") and $data/ours.log.
report() {
  local name=${1:-upstream} uw uc ur ow oc or
  read -r uw uc ur < <(for c in 1 2 3; do cut -d' ' -f$c "$data/up.log" | median; done | xargs)
  read -r ow oc or < <(for c in 1 2 3; do cut -d' ' -f$c "$data/ours.log" | median; done | xargs)
  echo "  ours vs $name: $(ratio "$uc" "$oc")x less CPU, $(ratio "$uw" "$ow")x less wall time, peak memory $(ratio "$or" "$ur") of $name's"
  printf '  %-12s %6.2f s CPU %6.2f s wall %8d KB peak\n' "$name:" "$uc" "$uw" "$ur"
  printf '  %-12s %6.2f s CPU %6.2f s wall %8d KB peak\n' "ours:" "$oc" "$ow" "$or"
}
