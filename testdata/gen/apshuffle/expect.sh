#!/usr/bin/env bash
# Regenerates testdata/bundles/expected/<pile>.txt from upstream apshuffle,
# whose binary path must be in UPSTREAM_APSHUFFLE (build it from
# rhysh/go-tracing-toolbox outside this repository). For each pile under
# testdata/bundles (corpus: real bundles; gen: written by main.go here) the
# zips are extracted into folders, as upstream needs, and upstream runs
# every line of modes.txt in order. Each mode's stdout goes under a
# "### <mode>" header; for modes with -write-links the header is followed by
# the symlinks made so far ("<path> -> <target>"), not stdout.
set -euo pipefail
set -f # modes hold regexps: split them into words, never glob them
up=${UPSTREAM_APSHUFFLE:?set UPSTREAM_APSHUFFLE to the upstream apshuffle binary}
here=$(cd "$(dirname "$0")" && pwd)
bundles=$(cd "$here/../../bundles" && pwd)
mkdir -p "$bundles/expected"
for pile in corpus gen; do
    tmp=$(mktemp -d)
    (cd "$bundles/$pile" && find . -name '*.zip' | sort) | while read -r z; do
        mkdir -p "$tmp/${z%.zip}"
        unzip -q "$bundles/$pile/$z" -d "$tmp/${z%.zip}"
    done
    out=$bundles/expected/$pile.txt
    : > "$out"
    while IFS= read -r mode; do
        echo "### $mode" >> "$out"
        # shellcheck disable=SC2086 # word splitting of $mode is intended
        "$up" -C "$tmp" $mode >> "$out"
        case " $mode " in *" -write-links "*)
            (cd "$tmp" && find . -type l | sort | while read -r l; do echo "${l#./} -> $(readlink "$l")"; done) >> "$out"
        esac
    done < "$here/modes.txt"
    rm -rf "$tmp"
done
