# Group testrun: the C tests over BPF_PROG_TEST_RUN (the packet corpus
# through the BPF parser, the data plane's per-source accounting with
# exact counts, the per-CPU readers, the hot-source cache), run by the
# static test_xdpgate. Each of its subtests becomes one result line.
. "$KMX_ROOT/lib.sh"

# Quick: the corpus through the BPF build and the accounting checks.
if [ -n "$KMX_QUICK" ]; then
	TESTS="corpus parse_bpf xdp_dataplane"
else
	TESTS=""
fi

test_xdpgate $TESTS >"$KMX_TMP/c.out" 2>&1
rc=$?
# "ok   t/s (N checks)", "FAIL t/s (N checks)" after its "  FAIL ..."
# detail lines, "SKIP t/s: why".
last_detail=""
while IFS= read -r line; do
	case $line in
	"ok   "*)
		set -- ${line#ok   }
		kmx_pass "$1" "${2#(} checks" ;;
	"FAIL "*)
		set -- ${line#FAIL }
		kmx_fail "$1" "${last_detail:-failed, no detail line}" ;;
	"  FAIL "*)
		[ -z "$last_detail" ] && last_detail=${line#  FAIL } ;;
	"SKIP "*)
		rest=${line#SKIP }
		kmx_skip "${rest%%:*}" "${rest#*: }" ;;
	*" passed, "*" failed")
		kmx_info summary "$line" ;;
	esac
	case $line in "ok   "*|"FAIL "*) last_detail="" ;; esac
done <"$KMX_TMP/c.out"
grep -q ' passed, .* failed$' "$KMX_TMP/c.out" ||
	kmx_fail test_xdpgate "exited $rc without its summary line: $(tail -n 1 "$KMX_TMP/c.out")"
