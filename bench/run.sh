#!/bin/sh
# make bench: run the benchmark and record bench/results.json and
# bench/RESULTS.md with the commit measured. BENCH_QUICK=1 runs the
# smoke-test sizes (< 30 s) and writes to build/bench-quick.* instead, so a
# quick run never overwrites the recorded results.
# Extra arguments go to xdpgate-bench (e.g. --seed N, --only hotpath).
set -eu
cd "$(dirname "$0")/.."

BIN=build/xdpgate-bench
[ -x "$BIN" ] || { echo "bench: $BIN missing (run make bench)" >&2; exit 1; }

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# The recorded results themselves do not make the measured code dirty.
if [ -n "$(git status --porcelain --untracked-files=no -- . \
	':!bench/RESULTS.md' ':!bench/results.json' 2>/dev/null)" ]; then
	commit="$commit-dirty"
fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	set -- --quick "$@"
	json=build/bench-quick.json
	md=build/bench-quick.md
	cmd="BENCH_QUICK=1 make bench"
else
	json=bench/results.json
	md=bench/RESULTS.md
	cmd="make bench"
fi

"$BIN" --json "$json" --md "$md" --commit "$commit" --command "$cmd" "$@"
echo "bench: wrote $json and $md (commit $commit)"
