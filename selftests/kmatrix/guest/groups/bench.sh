# Group bench: the benchmark's hot-path scenario (xdpgate against the
# empty program and xdp-filter, BPF_PROG_TEST_RUN on one CPU). Under
# emulation the ns figures mean nothing; the ratios between programs on
# the same kernel do, and the host turns the JSON into the matrix's
# ratio table. Nothing here is asserted about speed.
. "$KMX_ROOT/lib.sh"

if run xdpgate-bench --quick --selftest --only hotpath; then
	kmx_pass selftest "every hot-path program processed its packets"
else
	kmx_fail selftest "$(grep -m1 -i fail "$KMX_TMP/last" || echo "$WHY")"
fi
if run xdpgate-bench --only hotpath --rounds "${KMX_BENCH_ROUNDS:-5}" \
	--repeat "${KMX_BENCH_REPEAT:-20000}" --json "$KMX_TMP/bench.json" \
	--md "$KMX_TMP/bench.md"; then
	kmx_data hotpath "$(tr -d '\n' <"$KMX_TMP/bench.json")"
	kmx_pass hotpath "ratios recorded (rounds ${KMX_BENCH_ROUNDS:-5}, repeat ${KMX_BENCH_REPEAT:-20000})"
else
	kmx_fail hotpath "$WHY"
fi
