# Group tc: the TC programs on a veth pair. What `xdpgate attach --hook tc`
# picks on this kernel (tcx from Linux 6.6, clsact before) and why, from
# its own line; both paths forced; exact counts at ingress (frames sent
# into the gate, counted by source) and at egress (frames sent out of the
# gate, counted by destination); then the TC programs through
# BPF_PROG_TEST_RUN on sched_cls (test_xdpgate tc_dataplane).
. "$KMX_ROOT/lib.sh"

# One of each benchmark frame kind, from four sources, as in group xdp:
# TC counts a frame with the bytes XDP counts (a VLAN tag the stack takes
# out of the frame counts as the 4 bytes it was).
FRAMES="ipv4,10.11.0.1,7 ipv6,2001:db8::11,5 ipv6-ext,2001:db8::12,3 vlan-ipv4,10.11.0.2,2"
NFRAMES=17
WANT1="10.11.0.1 7 448"
WANT2="2001:db8::11 5 390"
WANT3="2001:db8::12 3 282"
WANT4="10.11.0.2 2 136"
# The same frames leaving the gate, by destination (bench/packets.c).
WANT_DST4="198.51.100.1 9 584"
WANT_DST6="2001:db8::101 8 672"

# tcx came with Linux 6.6: what auto must pick here.
rel=$(uname -r)
major=${rel%%.*}
minor=$(echo "$rel" | cut -d. -f2 | sed 's/[^0-9].*//')
if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 6 ]; }; then
	AUTO=tcx
else
	AUTO=clsact
fi

# "tcx (link pinned at ...)" from xdpgate attach's own line.
tc_via() {
	echo "$1" | sed -n 's/.* at tc [a-z]* via \([a-z]*\) (\(.*\)), counted by.*/\1 (\2)/p' |
		head -n 1
}

# t_hook NAME PAIR DIRECTION TC_VIA WANT_VIA SEND_IFACE WANT...
t_hook() {
	name=$1 pair=$2 dir=$3 tcvia=$4 want=$5 out=$6
	shift 6
	veth_up "$pair" || { kmx_fail "$name" "veth pair: cannot create"; return; }
	if ! run xdpgate attach "$GATE" --hook tc --direction "$dir" --tc-via "$tcvia" \
		--max-sources 1024; then
		kmx_fail "$name" "$WHY"
		veth_down
		return
	fi
	via=$(tc_via "$OUT")
	[ "$tcvia" = auto ] && kmx_backend "tc/$dir" "${via:-?}"
	case "$via" in
	"$want "*) ;;
	*) kmx_fail "$name" "attached via '${via:-?}', want $want"; veth_down; return ;;
	esac
	[ "$out" = gate ] && out=$GATE || out=$SEND
	if ! run kmx send "$out" $FRAMES; then
		kmx_fail "$name" "$WHY"
	elif ! expect_sources "$@"; then
		kmx_fail "$name" "$WHY"
	elif ! run xdpgate detach "$GATE" --hook tc; then
		kmx_fail "$name" "detach: $WHY"
	else
		kmx_pass "$name" "via $want, $NFRAMES frames counted exactly, detached"
	fi
	veth_down
}

t_hook ingress_auto 01 ingress auto "$AUTO" send "$WANT1" "$WANT2" "$WANT3" "$WANT4"
t_hook egress_auto 02 egress auto "$AUTO" gate "$WANT_DST4" "$WANT_DST6"
t_hook ingress_clsact 03 ingress clsact clsact send "$WANT1" "$WANT2" "$WANT3" "$WANT4"
if [ "$AUTO" = tcx ]; then
	t_hook ingress_tcx 04 ingress tcx tcx send "$WANT1" "$WANT2" "$WANT3" "$WANT4"
else
	kmx_skip ingress_tcx "tcx needs Linux 6.6, this is $rel"
fi

kmx_test_xdpgate tc_dataplane
