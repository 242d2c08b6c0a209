# Shared by the kernel matrix's test groups (busybox sh, also plain sh on
# a host). Every result is one line on stdout, which the host parses:
#
#   KMX PASS|FAIL|SKIP <group>/<test> <detail or reason>
#   KMX BACKEND <layer>/<hook> <what the loader picked (why)>
#   KMX INFO <group>/<what> <text>
#   KMX DATA <group>/<what> <one line of JSON>
#
# A test reports exactly once; a SKIP always carries its reason.

: "${KMX_GROUP:?}" "${KMX_ROOT:?}"
KMX_TMP=${KMX_TMP:-/tmp/kmx.$$}
mkdir -p "$KMX_TMP"

kmx_pass() { echo "KMX PASS $KMX_GROUP/$1 ${2:-}"; }
kmx_fail() { echo "KMX FAIL $KMX_GROUP/$1 ${2:-no reason given}"; KMX_FAILED=1; }
kmx_skip() { echo "KMX SKIP $KMX_GROUP/$1 ${2:?a skip needs its reason}"; }
kmx_info() { echo "KMX INFO $KMX_GROUP/$1 $2"; }
kmx_backend() { echo "KMX BACKEND $1 $2"; }
kmx_data() { echo "KMX DATA $KMX_GROUP/$1 $2"; }

# Run a command, keeping its stdout in $OUT and stdout+stderr in
# $KMX_TMP/last. On failure $WHY says what ran and its last error line.
run() {
	"$@" >"$KMX_TMP/out" 2>"$KMX_TMP/err"
	rc=$?
	OUT=$(cat "$KMX_TMP/out")
	cat "$KMX_TMP/out" "$KMX_TMP/err" >"$KMX_TMP/last"
	if [ $rc -ne 0 ]; then
		WHY="'$*' exited $rc: $(grep . "$KMX_TMP/err" | tail -n 1)"
		[ -s "$KMX_TMP/err" ] || WHY="'$*' exited $rc: $(tail -n 1 "$KMX_TMP/out")"
	fi
	return $rc
}

# Interface names follow the project's rule (xge + pid in base 36 + role
# + counter), even in a guest where nothing else runs.
b36() {
	n=$1 s=""
	while [ "$n" -gt 0 ]; do
		s=$(echo 0123456789abcdefghijklmnopqrstuvwxyz | cut -c$((n % 36 + 1)))$s
		n=$((n / 36))
	done
	printf '%05s' "$s" | tr ' ' 0
}
KMX_IFBASE=xge$(b36 $$)

# A veth pair GATE (where programs attach) and SEND (where frames leave),
# with IPv6 off so the kernel sends nothing of its own on them. The peer
# is left unnamed (busybox ip cannot name it) and renamed: the kernel
# calls it veth0, the only one in this fresh network namespace.
veth_up() {
	GATE=${KMX_IFBASE}g$1 SEND=${KMX_IFBASE}s$1
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
	ip link add "$GATE" type veth || return 1
	ip link set veth0 name "$SEND" || return 1
	ip link set "$GATE" up && ip link set "$SEND" up
}

veth_down() {
	ip link del "$GATE" 2>/dev/null
	return 0
}

# "packets bytes" of one source in xdpgate's JSON stats of $GATE.
src_counts() {
	grep -o "\"source\":\"$1\",[^}]*" "$KMX_TMP/stats" |
		sed 's/.*"packets":\([0-9]*\),"bytes":\([0-9]*\).*/\1 \2/'
}

# Wait (bounded: frames cross the veth through NAPI, later than sendto
# returns) until xdpgate's stats on $GATE show exactly the expected
# "SRC PACKETS BYTES" triples and no other source. $WHY says what differs.
expect_sources() {
	printf '%s\n' "$@" >"$KMX_TMP/want"
	tries=0
	while :; do
		WHY="" n=0
		xdpgate stats "$GATE" --json >"$KMX_TMP/stats" 2>"$KMX_TMP/err" ||
			WHY="xdpgate stats $GATE: $(tail -n 1 "$KMX_TMP/err");"
		while read -r src pkts bytes; do
			got=$(src_counts "$src")
			[ "$got" = "$pkts $bytes" ] ||
				WHY="$WHY $src: want $pkts pkts $bytes B, got '${got:-none}';"
			n=$((n + 1))
		done <"$KMX_TMP/want"
		total=$(grep -o '"sources_total":[0-9]*' "$KMX_TMP/stats" | cut -d: -f2)
		[ "$total" = "$n" ] || WHY="$WHY sources_total '$total', want $n;"
		[ -z "$WHY" ] && return 0
		tries=$((tries + 1))
		[ $tries -ge 50 ] && return 1
		sleep 0.2
	done
}

# Wait (bounded) until kmx's counter reads exactly $1.
expect_count() {
	tries=0
	while :; do
		got=$(kmx count-read 2>&1)
		[ "$got" = "$1" ] && return 0
		tries=$((tries + 1))
		if [ $tries -ge 50 ]; then
			WHY="kmx_count saw '$got' frames, want $1"
			return 1
		fi
		sleep 0.2
	done
}

# Run test_xdpgate with these arguments and turn each of its subtest lines
# into one result line of this group: "ok   t/s (N checks)", "FAIL t/s
# (N checks)" after its "  FAIL ..." detail lines, "SKIP t/s: why".
kmx_test_xdpgate() {
	test_xdpgate "$@" >"$KMX_TMP/c.out" 2>&1
	rc=$?
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
		[0-9]*" passed, "[0-9]*" failed"*)
			kmx_info summary "$line" ;;
		esac
		case $line in "ok   "*|"FAIL "*) last_detail="" ;; esac
	done <"$KMX_TMP/c.out"
	grep -q '^[0-9]* passed, [0-9]* failed' "$KMX_TMP/c.out" ||
		kmx_fail test_xdpgate "exited $rc without its summary line: $(tail -n 1 "$KMX_TMP/c.out")"
}
