# Group bench: the benchmark's hot-path scenario (xdpgate against the
# empty program and xdp-filter, BPF_PROG_TEST_RUN on one CPU). Under
# emulation nanoseconds mean nothing; booted with -icount the guest's
# clock counts instructions, so "ns" per packet is instructions per
# packet, identical from run to run, and three rounds are plenty. On a
# real CPU (a kernel run natively) it is time, with its noise. The host
# turns the JSON into the matrix's table; nothing is asserted about speed.
. "$KMX_ROOT/lib.sh"

if [ -n "$KMX_ICOUNT" ]; then
	ROUNDS=3 REPEAT=10000
else
	ROUNDS=7 REPEAT=100000
fi

# What the verifier does with a per-CPU array lookup, asked directly.
if run kmx probe-percpu-inline; then
	kmx_info probe-percpu-inline "$OUT"
else
	kmx_fail percpu_inline_probe "$WHY"
fi

if run xdpgate-bench --quick --selftest --only hotpath; then
	kmx_pass selftest "every hot-path program processed its packets"
else
	kmx_fail selftest "$(grep -m1 -i fail "$KMX_TMP/last" || echo "$WHY")"
fi
if run xdpgate-bench --only hotpath --rounds $ROUNDS --repeat $REPEAT \
	--json "$KMX_TMP/bench.json" --md "$KMX_TMP/bench.md"; then
	kmx_data hotpath "$(tr -d '\n' <"$KMX_TMP/bench.json")"
	kmx_pass hotpath "recorded (${KMX_ICOUNT:+instruction-counting clock, }$ROUNDS rounds, repeat $REPEAT)"
else
	kmx_fail hotpath "$WHY"
fi
