#!/bin/sh
# xdpgate demo: a veth pair into a private network namespace, xdpgate on the
# host end, UDP from several IPv4 and IPv6 sources sent from the namespace,
# then the status and the per-source table. Everything it creates is removed
# on exit, also when a step fails or the demo is interrupted.
set -eu

cd "$(dirname "$0")/.."
XDPGATE=${XDPGATE:-build/xdpgate}
PYTHON=${PYTHON:-/usr/bin/python3}

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "attaching XDP programs needs root: run 'sudo make demo'"
[ -x "$XDPGATE" ] || die "$XDPGATE is missing: run 'make' first"
"$PYTHON" -c 'import scapy' 2>/dev/null || die "scapy is missing: run 'make deps'"

# Unique per run, at most 15 characters.
id=$$
GATE=xgdemo${id}g
PEER=xgdemo${id}s
NS=xgdemo${id}

cleanup() {
	status=$?
	trap - EXIT INT TERM
	set +e
	# Deleting the host end removes its peer and any XDP program on it;
	# the pins it leaves are then an orphan recorded under its name.
	ip link del dev "$GATE" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	"$XDPGATE" detach --orphans "$GATE" >/dev/null 2>&1
	[ "$status" = 0 ] || printf 'demo: failed (exit %s), cleaned up\n' "$status" >&2
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "creating namespace $NS and veth pair $GATE (host) <-> $PEER ($NS)"
ip netns add "$NS"
# Quiet links: no IPv6 autoconfiguration chatter, only the demo's packets.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
ip link add "$GATE" type veth peer name "$PEER" netns "$NS"
sysctl -qw "net.ipv6.conf.$GATE.disable_ipv6=1"
ip link set dev "$GATE" up
ip -n "$NS" link set dev "$PEER" up

say "attaching xdpgate to $GATE"
"$XDPGATE" attach "$GATE"

say "sending UDP from 4 IPv4 and 3 IPv6 sources in $NS (more from the first ones)"
ip netns exec "$NS" "$PYTHON" - "$PEER" <<'EOF'
import logging
import sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # no route chatter
from scapy.all import Ether, IP, IPv6, UDP, Raw, get_if_hwaddr, sendp

iface = sys.argv[1]
mac = get_if_hwaddr(iface)

sources = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.7",
           "2001:db8::1", "2001:db8::2", "2001:db8:beef::42"]
pkts = []
for rank, src in enumerate(sources):
    l3 = IPv6(src=src, dst="2001:db8::ffff") if ":" in src else \
        IP(src=src, dst="203.0.113.1")
    for i in range(2 * (len(sources) - rank)):
        # Frames go to a MAC the host does not own: xdpgate counts them,
        # then the kernel drops them, so nothing answers or leaves the box.
        pkts.append(Ether(src=mac, dst="02:00:00:00:de:01") / l3 /
                    UDP(sport=40000 + i, dport=53) / Raw(b"x" * (20 * rank + i)))
sendp(pkts, iface=iface, verbose=False)
print("sent %d packets" % len(pkts))
EOF
sleep 0.5  # the veth delivers asynchronously

say "xdpgate status $GATE"
"$XDPGATE" status "$GATE"

say "xdpgate stats $GATE"
"$XDPGATE" stats "$GATE"

say "detaching xdpgate and removing the namespace"
"$XDPGATE" detach "$GATE"
