#!/usr/bin/env bash
# Benchmark for apshuffle (not run by CI). Generates a pile of service-sized
# Autoprof bundles with bench/gen-bundles (heap profiles of 0.4-2 MB gzipped
# with many distinct stacks, goroutine profiles with thousands of
# goroutines), then times, in the same run:
#   - our apshuffle ranking by heap inuse_space with -focus and -ignore,
#     on the extracted folders and on the zips read in place;
#   - `gzip -dc` of the same heap profiles (to /dev/null);
#   - upstream apshuffle on the folders, if UPSTREAM_APSHUFFLE names its binary;
# and reports the medians of $RUNS runs' wall and CPU times, their ratios to
# gzip -dc's, and peak memory (maximum resident set size, as /usr/bin/time
# -v reports it) on the whole pile and on a tenth of it. gzip -dc uses one
# core and apshuffle all of them, so on a busy machine the wall-time ratio
# moves with the load; the CPU-time ratio does not.
#
# Environment: N (bundles, default 300), RUNS (default 5), WORK (scratch
# folder, default a new temporary one), GO (go command, default `go`),
# UPSTREAM_APSHUFFLE (optional), APSHUFFLE (our binary; default: build it),
# CARGO_TARGET_DIR (as for cargo).
set -euo pipefail

N=${N:-300}
RUNS=${RUNS:-5}
GO=${GO:-go}
WORK=${WORK:-$(mktemp -d)}
UPSTREAM=${UPSTREAM_APSHUFFLE:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}

bin=${APSHUFFLE:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet --bin apshuffle --manifest-path "$repo/Cargo.toml"
    bin=$target/release/apshuffle
fi

if [ ! -d "$WORK/zips" ]; then
    echo "generating $N bundles in $WORK" >&2
    (cd "$repo/bench/gen-bundles" && GOFLAGS=-mod=mod "$GO" run . -zips "$WORK/zips" -folders "$WORK/folders" -n "$N")
fi
# A tenth of the pile (hard links), to see whether memory grows with size.
small=$WORK/zips-tenth
if [ ! -d "$small" ]; then
    mkdir -p "$small"
    zips=("$WORK"/zips/*.zip)
    for z in "${zips[@]:0:$((N / 10))}"; do ln "$z" "$small/"; done
fi

args=(-profile-sort=heap -sample-type=inuse_space -focus=internal/api -ignore=sync)
heaps=("$WORK"/folders/*/pprof/heap)
cat "${heaps[@]}" "$WORK"/zips/* > /dev/null # warm the page cache

# "WALL CPU PEAK_KB": the medians of $RUNS runs' wall and CPU times (CPU =
# user + system seconds) and the largest maximum resident set size
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
measure() {
    local peak=0 w u s kb walls="" cpus=""
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.out" "$@" > /dev/null 2> /dev/null || true
        read -r w u s kb < <(tail -n 1 "$WORK/time.out")
        walls="$walls $w"
        cpus="$cpus $(awk "BEGIN{print $u + $s}")"
        if [ "$kb" -gt "$peak" ]; then peak=$kb; fi
    done
    echo "$(echo $walls | tr ' ' '\n' | median) $(echo $cpus | tr ' ' '\n' | median) $peak"
}

gz=$(measure sh -c 'gzip -dc "$@" > /dev/null' sh "${heaps[@]}")
read -r gz_wall gz_cpu _ <<< "$gz"
report() { # name "wall cpu peak"
    local wall cpu kb
    read -r wall cpu kb <<< "$2"
    printf '%-30s %6.2f s wall %5.2fx gzip -dc %6.2f s cpu %5.2fx gzip -dc  peak %7d KB\n' \
        "$1" "$wall" "$(awk "BEGIN{print $wall / $gz_wall}")" "$cpu" "$(awk "BEGIN{print $cpu / $gz_cpu}")" "$kb"
}

echo "pile: $N bundles, $(du -sh "$WORK/zips" | cut -f1) of zips; heap profiles: $(cat "${heaps[@]}" | wc -c) bytes gzipped; $(nproc) CPUs"
report "gzip -dc heap profiles" "$gz"
report "apshuffle (folders)" "$(measure "$bin" -C "$WORK/folders" "${args[@]}")"
report "apshuffle (zips in place)" "$(measure "$bin" -C "$WORK/zips" "${args[@]}")"
report "apshuffle (zips, a tenth)" "$(measure "$bin" -C "$small" "${args[@]}")"
if [ -n "$UPSTREAM" ]; then
    report "upstream apshuffle (folders)" "$(RUNS=1 measure "$UPSTREAM" -C "$WORK/folders" "${args[@]}")"
    if cmp -s <("$bin" -C "$WORK/folders" "${args[@]}") <("$UPSTREAM" -C "$WORK/folders" "${args[@]}"); then
        echo "stdout: identical to upstream"
    else
        echo "stdout: DIFFERS from upstream"
    fi
fi
