# Group testrun: the C tests over BPF_PROG_TEST_RUN (the packet corpus
# through the BPF parser, the data plane's per-source accounting with
# exact counts, the per-CPU readers, the hot-source cache), run by the
# static test_xdpgate. Each of its subtests becomes one result line.
. "$KMX_ROOT/lib.sh"

# Tests other groups run: cgroups is the socket layer's (group sock),
# tc_dataplane the TC layer's (group tc).
ELSEWHERE="cgroups tc_dataplane"

# Quick: the corpus through the BPF build and the accounting checks.
if [ -n "$KMX_QUICK" ]; then
	TESTS="corpus parse_bpf xdp_dataplane"
else
	TESTS=$(test_xdpgate --help 2>&1 | sed -n 's/^ *tests: //p')
	for t in $ELSEWHERE; do
		TESTS=$(echo " $TESTS " | sed "s/ $t / /")
	done
fi
[ -n "$TESTS" ] || { kmx_fail test_xdpgate "no test names from test_xdpgate --help"; exit 0; }
kmx_test_xdpgate $TESTS

