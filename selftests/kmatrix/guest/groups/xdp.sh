# Group xdp: xdpgate's XDP program on a veth pair in every attach path
# the loader has, and next to another XDP program in libxdp's dispatcher.
# Counts are exact: the frames are made here (kmx send) and nothing else
# crosses the pair. Each test builds its own pair and removes it.
. "$KMX_ROOT/lib.sh"

# One of each benchmark frame kind, from four sources: 17 frames.
FRAMES="ipv4,10.11.0.1,7 ipv6,2001:db8::11,5 ipv6-ext,2001:db8::12,3 vlan-ipv4,10.11.0.2,2"
NFRAMES=17
WANT1="10.11.0.1 7 448"
WANT2="2001:db8::11 5 390"
WANT3="2001:db8::12 3 282"
WANT4="10.11.0.2 2 136"

send_frames() {
	run kmx send "$SEND" $FRAMES
}

# What libxdp's dispatcher needs, asked of the kernel directly.
run kmx probe-freplace
FREPLACE=$OUT
[ -n "$FREPLACE" ] || FREPLACE="probe failed: $WHY"
kmx_info probe-freplace "$FREPLACE"
case $FREPLACE in
"freplace ok") DISPATCHER_EXPECTED=1 AUTO_VIA=libxdp ;;
*) DISPATCHER_EXPECTED=0 AUTO_VIA=netlink ;;
esac

# "libxdp dispatcher (...)" from xdpgate attach's own line.
attach_via() {
	echo "$1" | sed -n 's/.* mode via \(.*\); maps pinned.*/\1/p'
}

# xdpgate attach $GATE "$@"; $VIA is the path it reports.
gate_attach() {
	run xdpgate attach "$GATE" "$@" || return 1
	VIA=$(attach_via "$OUT")
}

gate_counts_exact() {
	expect_sources "$WANT1" "$WANT2" "$WANT3" "$WANT4"
}

# The auto choice on a clean interface, natively, and the side-by-side
# run with the counting program, then xdpgate's detach leaving it alone.
t_auto_then_side_by_side() {
	veth_up 01 || { kmx_fail attach_auto "veth pair: cannot create"; return; }
	if ! gate_attach --mode native; then
		kmx_fail attach_auto "$WHY"
		kmx_skip side_by_side "xdpgate did not attach (attach_auto failed)"
		kmx_skip detach_keeps_other "xdpgate did not attach (attach_auto failed)"
		veth_down; return
	fi
	kmx_backend xdp/native "$VIA"
	case "$VIA,$DISPATCHER_EXPECTED" in
	"libxdp dispatcher"*,*|*,0) kmx_pass attach_auto "via $VIA" ;;
	*) kmx_fail attach_auto "the kernel allows freplace ($FREPLACE) but xdpgate attached via $VIA" ;;
	esac
	if [ "$DISPATCHER_EXPECTED" = 0 ]; then
		why="libxdp dispatcher unavailable: $FREPLACE; xdpgate attached via $VIA"
		kmx_skip side_by_side "$why"
		kmx_skip detach_keeps_other "$why"
		run xdpgate detach "$GATE"
		veth_down; return
	fi
	if t_side_by_side; then
		t_detach_keeps_other
	else
		kmx_skip detach_keeps_other "needs side_by_side, which failed"
	fi
	veth_down
}

t_side_by_side() {
	if ! run kmx count-attach "$GATE"; then kmx_fail side_by_side "$WHY"; return 1; fi
	case $OUT in
	*"dispatcher"*xdpgate_xdp*kmx_count*|*"dispatcher"*kmx_count*xdpgate_xdp*) ;;
	*) kmx_fail side_by_side "not both in the dispatcher: $OUT"; return 1 ;;
	esac
	if ! send_frames; then kmx_fail side_by_side "$WHY"; return 1; fi
	if ! gate_counts_exact; then kmx_fail side_by_side "xdpgate:$WHY"; return 1; fi
	if ! expect_count $NFRAMES; then kmx_fail side_by_side "$WHY"; return 1; fi
	kmx_pass side_by_side "both saw all $NFRAMES frames (xdpgate per source exact, kmx_count $NFRAMES)"
}

t_detach_keeps_other() {
	if ! run xdpgate detach "$GATE"; then kmx_fail detach_keeps_other "$WHY"; return; fi
	run kmx list "$GATE"
	case $OUT in
	"dispatcher kmx_count") ;;
	*) kmx_fail detach_keeps_other "after xdpgate detach, $GATE runs: $OUT"; return ;;
	esac
	if run xdpgate stats "$GATE" --json; then
		kmx_fail detach_keeps_other "xdpgate stats still answers for $GATE: $OUT"; return
	fi
	if ! send_frames; then kmx_fail detach_keeps_other "$WHY"; return; fi
	if ! expect_count $((NFRAMES * 2)); then kmx_fail detach_keeps_other "$WHY"; return; fi
	if ! run kmx count-detach "$GATE"; then kmx_fail detach_keeps_other "$WHY"; return; fi
	run kmx list "$GATE"
	[ "$OUT" = none ] || { kmx_fail detach_keeps_other "after both detached: $OUT"; return; }
	kmx_pass detach_keeps_other "kmx_count alone in the dispatcher, counted the next $NFRAMES frames"
}

# The other order: the counting program first, then xdpgate joins (or,
# where the dispatcher cannot run, refuses to replace it).
t_join_or_refuse() {
	veth_up 02 || { kmx_fail join_dispatcher "veth pair: cannot create"; return; }
	if ! run kmx count-attach "$GATE"; then kmx_fail join_dispatcher "$WHY"; veth_down; return; fi
	if [ "$DISPATCHER_EXPECTED" = 0 ]; then
		if gate_attach --mode native; then
			kmx_fail join_dispatcher "no dispatcher, yet xdpgate attached via $VIA over kmx_count"
		elif ! grep -q "will not replace" "$KMX_TMP/last"; then
			kmx_fail join_dispatcher "attach failed for another reason: $WHY"
		elif send_frames && expect_count $NFRAMES; then
			kmx_pass join_dispatcher "no dispatcher ($FREPLACE): xdpgate refused to replace kmx_count, which kept counting"
		else
			kmx_fail join_dispatcher "$WHY"
		fi
		run kmx count-detach "$GATE"
		veth_down; return
	fi
	if ! gate_attach --mode native; then kmx_fail join_dispatcher "$WHY"; run kmx count-detach "$GATE"; veth_down; return; fi
	case $VIA in
	"libxdp dispatcher"*) ;;
	*) kmx_fail join_dispatcher "xdpgate attached via $VIA next to kmx_count"
	   run xdpgate detach "$GATE"; run kmx count-detach "$GATE"; veth_down; return ;;
	esac
	kmx_backend xdp/native-joined "$VIA"
	if t_joined_checks; then
		kmx_pass join_dispatcher "xdpgate joined kmx_count's dispatcher; both exact; detach left kmx_count"
	else
		kmx_fail join_dispatcher "$WHY"
		run xdpgate detach "$GATE"
	fi
	run kmx count-detach "$GATE"
	veth_down
}

t_joined_checks() {
	send_frames && gate_counts_exact && expect_count $NFRAMES || return 1
	run xdpgate detach "$GATE" && run kmx list "$GATE" || return 1
	[ "$OUT" = "dispatcher kmx_count" ] && return 0
	WHY="after xdpgate detach $GATE runs: $OUT"
	return 1
}

# --replace swaps the program and keeps the maps: the next frames add to
# the same counters, so every count doubles exactly.
t_replace_keeps_counts() {
	run xdpgate attach "$GATE" --replace || return 1
	case $OUT in *"replaced xdpgate_xdp"*) ;; *) WHY="replace said: $OUT"; return 1 ;; esac
	send_frames || return 1
	expect_sources "$(doubled $WANT1)" "$(doubled $WANT2)" "$(doubled $WANT3)" \
		"$(doubled $WANT4)" || { WHY="after --replace:$WHY"; return 1; }
}

# "SRC PACKETS BYTES" with both counts doubled.
doubled() {
	echo "$1 $(($2 * 2)) $(($3 * 2))"
}

# One forced path (or mode): attach, exact counts, a replace that keeps
# them, status agrees, detach.
t_path() {
	name=$1 key=$2 want_via=$3 pair=$4
	shift 4
	veth_up "$pair" || { kmx_fail "$name" "veth pair: cannot create"; return; }
	if ! gate_attach "$@"; then kmx_fail "$name" "$WHY"; veth_down; return; fi
	[ -n "$key" ] && kmx_backend "$key" "$VIA"
	run xdpgate status --json
	st_via=$(echo "$OUT" | grep -o "\"ifname\":\"$GATE\",[^}]*" |
		 sed -n 's/.*"via":"\([^"]*\)".*/\1/p')
	if ! send_frames || ! gate_counts_exact; then
		kmx_fail "$name" "${WHY# }"
	elif ! t_replace_keeps_counts; then
		kmx_fail "$name" "${WHY# }"
	elif [ -n "$want_via" ] && [ "$st_via" != "$want_via" ]; then
		kmx_fail "$name" "status says via '$st_via', want '$want_via'"
	elif ! run xdpgate detach "$GATE"; then
		kmx_fail "$name" "$WHY"; veth_down; return
	elif run kmx list "$GATE" && [ "$OUT" != none ]; then
		kmx_fail "$name" "after detach $GATE still runs: $OUT"
	else
		kmx_pass "$name" "via $VIA, status via $st_via, per-source counts exact, kept across --replace"
		veth_down; return
	fi
	run xdpgate detach "$GATE"
	veth_down
}

t_auto_then_side_by_side
t_join_or_refuse
t_path native_auto "" "$AUTO_VIA" 03 --mode native
t_path via_link "" bpf_link 04 --mode native --via link
t_path via_netlink "" netlink 05 --mode native --via netlink
[ -n "$KMX_QUICK" ] && exit 0
t_path skb_auto xdp/skb "$AUTO_VIA" 06 --mode skb
