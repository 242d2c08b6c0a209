"""The parser's decisions end to end: fragments, VLAN stacks and IPv6
extension headers sent with scapy through a veth pair, and the exact
per-source rows and per-reason counters read back with `xdpgate stats`.

Each test sends frames from sources of its own; a frame that must not be
attributed comes from BAD4/BAD6, which must never show up as a source.
"""
import ipaddress

import pytest
from scapy.all import (Dot1AD, Dot1Q, Ether, IP, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Raw, TCP, UDP)

import traffic
import xgcli
from xgcli import wait_stats, xg_ok

BAD4, BAD6 = "192.0.2.66", "2001:db8::66"
DST4, DST6 = traffic.DST4, traffic.DST6


def eth(type_=None):
    if type_ is None:
        return Ether(src=traffic.SRC_MAC, dst=traffic.DST_MAC)
    return Ether(src=traffic.SRC_MAC, dst=traffic.DST_MAC, type=type_)


def ip4(src, **kw):
    return IP(src=src, dst=DST4, **kw)


def ip6(src, **kw):
    return IPv6(src=src, dst=DST6, **kw)


def counter(pkts):
    n, b = traffic.total(pkts)
    return {"packets": n, "bytes": b}


def send_and_check(topo, plan):
    """plan: [(frame, source or None, reason or None)], one entry per frame
    sent. A frame may have both (frag_l4_trunc). Checks the pass total,
    every reason (the rest exactly zero), the per-source rows, and the rule
    that reconciles them (README, "Counting rules").
    """
    pkts = [f for f, _, _ in plan]
    topo.send(pkts)
    ifc = wait_stats(topo.gate, len(pkts))

    want_rows, want_reasons = {}, {}
    for f, src, reason in plan:
        if src:
            want_rows.setdefault(ipaddress.ip_address(src), []).append(f)
        if reason:
            want_reasons.setdefault(reason, []).append(f)
    assert ifc["actions"]["pass"] == counter(pkts)
    for a in xgcli.ACTIONS:
        if a != "pass":
            assert ifc["actions"][a] == {"packets": 0, "bytes": 0}, a
    for r in xgcli.REASONS:
        assert ifc["parse"][r] == counter(want_reasons.get(r, [])), r
    assert traffic.reported(ifc) == {k: traffic.total(v) for k, v in want_rows.items()}
    in_rows = sum(s["packets"] for s in ifc["sources"])
    parsed = len(pkts) - sum(ifc["parse"][r]["packets"] for r in xgcli.REASONS
                             if r not in xgcli.REASONS_WITH_SOURCE)
    assert in_rows == parsed, "rows %d, actions - reasons + %s = %d" % (
        in_rows, xgcli.REASONS_WITH_SOURCE, parsed)
    # The loader's own reconciliation agrees: nothing evicted, nothing
    # unaccounted (frag_l4_trunc packets are in the rows, not missing).
    ev = ifc["evictions"]
    assert (ev["evicted"], ev["packets"], ev["bytes"]) == (0, 0, 0), ev
    return ifc


def of(src, frames, reason=None):
    """Plan entries: frames from src (None: counted under no source)."""
    return [(f, src, reason) for f in frames]


def test_ipv4_fragments(attached):
    """First, middle and last fragments count under their source; a first
    fragment whose L4 header is cut counts there too, and as frag_l4_trunc;
    the same cut without fragmentation is l4_trunc and counts nowhere else.
    """
    s1, s2 = "192.0.2.71", "192.0.2.72"
    first = eth() / ip4(s1, flags="MF", frag=0, id=7) / UDP(sport=5, dport=6) / Raw(b"a" * 32)
    middle = eth() / ip4(s1, flags="MF", frag=5, id=7, proto=17) / Raw(b"b" * 40)
    last = eth() / ip4(s1, frag=10, id=7, proto=17) / Raw(b"c" * 3)
    cut_tcp = eth() / ip4(s2, flags="MF", frag=0, id=8, proto=6) / Raw(b"d" * 8)
    cut_udp = eth() / ip4(s2, flags="MF", frag=0, id=9, proto=17) / Raw(b"e" * 4)
    cut_icmp = eth() / ip4(s2, flags="MF", frag=0, id=10, proto=1) / Raw(b"f" * 2)
    later_s2 = eth() / ip4(s2, frag=1, id=8, proto=6) / Raw(b"g" * 12)
    unfragmented = eth() / ip4(BAD4, proto=6) / Raw(b"h" * 8)
    bad_doff = eth() / ip4(BAD4) / TCP(sport=1, dport=2, dataofs=4)

    send_and_check(attached,
                   of(s1, [first, middle, last]) + of(s2, [later_s2]) +
                   of(s2, [cut_tcp, cut_udp, cut_icmp, cut_tcp], "frag_l4_trunc") +
                   of(None, [unfragmented], "l4_trunc") +
                   of(None, [bad_doff] * 2, "tcp_bad_doff"))


def test_ipv6_fragments(attached):
    """The IPv6 counterparts, plus: an atomic fragment (offset 0, no M) is
    a whole packet, so its cut L4 header is l4_trunc; a first fragment that
    ends inside an extension header after the fragment header is
    frag_l4_trunc too.
    """
    s1, s2 = "2001:db8:71::1", "2001:db8:72::1"
    first = eth() / ip6(s1) / IPv6ExtHdrFragment(offset=0, m=1, id=1) / UDP(sport=5, dport=6) / Raw(b"a" * 24)
    later = eth() / ip6(s1) / IPv6ExtHdrFragment(offset=4, m=1, id=1, nh=17) / Raw(b"b" * 16)
    last = eth() / ip6(s1) / IPv6ExtHdrFragment(offset=6, m=0, id=1, nh=17) / Raw(b"c" * 5)
    cut_tcp = eth() / ip6(s2) / IPv6ExtHdrFragment(offset=0, m=1, id=2, nh=6) / Raw(b"d" * 8)
    cut_icmp = eth() / ip6(s2) / IPv6ExtHdrFragment(offset=0, m=1, id=3, nh=58) / Raw(b"e" * 4)
    # payload length ends 8 bytes into a 16-byte destination options header
    cut_ext = eth() / ip6(s2, plen=16) / IPv6ExtHdrFragment(offset=0, m=1, id=4) / \
        IPv6ExtHdrDestOpt(len=1, options=[]) / Raw(b"\x00" * 14)
    atomic_cut = eth() / ip6(BAD6) / IPv6ExtHdrFragment(offset=0, m=0, id=5, nh=6) / Raw(b"f" * 8)

    send_and_check(attached,
                   of(s1, [first, later, last, later]) +
                   of(s2, [cut_tcp, cut_icmp, cut_ext], "frag_l4_trunc") +
                   of(None, [atomic_cut], "l4_trunc"))


@pytest.mark.parametrize("mode", ["native", "skb"])
def test_vlan_stacks(topo, mode):
    """802.1Q, QinQ with 802.1ad (0x88a8) and with the old 0x9100 outer
    tag, each counted under the inner source; three tags are one too many.
    """
    xg_ok("attach", topo.gate, "--mode", mode)
    s1, s2, s3 = "192.0.2.81", "2001:db8:81::1", "192.0.2.82"
    udp = UDP(sport=7, dport=8) / Raw(b"v" * 10)
    q = eth() / Dot1Q(vlan=100) / ip4(s1) / udp
    qinq_ad = eth() / Dot1AD(vlan=10) / Dot1Q(vlan=20) / ip6(s2) / udp
    qinq_9100 = eth(0x9100) / Dot1Q(vlan=30, type=0x8100) / Dot1Q(vlan=40) / ip4(s3) / udp
    single_9100 = eth(0x9100) / Dot1Q(vlan=50) / ip4(s3) / udp
    three = eth() / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / ip4(BAD4) / udp
    three_9100 = eth(0x9100) / Dot1Q(vlan=1, type=0x8100) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / ip4(BAD4) / udp
    send_and_check(topo,
                   of(s1, [q, q]) + of(s2, [qinq_ad]) + of(s3, [qinq_9100, single_9100]) +
                   of(None, [three, three_9100, three], "vlan_too_deep"))


def test_ipv6_extension_headers(attached):
    """Chains within the bound count under their source; Hop-by-Hop after
    another header, nine headers, and a header longer than the packet do
    not.
    """
    s1 = "2001:db8:91::1"
    udp = UDP(sport=9, dport=10) / Raw(b"x" * 6)
    chain = eth() / ip6(s1) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
        IPv6ExtHdrRouting() / IPv6ExtHdrFragment(offset=0, m=0) / IPv6ExtHdrDestOpt() / udp
    eight = eth() / ip6(s1)
    nine = eth() / ip6(BAD6)
    for i in range(9):
        if i < 8:
            eight = eight / IPv6ExtHdrDestOpt()
        nine = nine / IPv6ExtHdrDestOpt()
    eight, nine = eight / udp, nine / udp
    hbh_second = eth() / ip6(BAD6) / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / udp
    hbh_after_frag = eth() / ip6(BAD6) / IPv6ExtHdrFragment(offset=0, m=1) / IPv6ExtHdrHopByHop() / udp
    too_long = eth() / ip6(BAD6) / IPv6ExtHdrRouting(len=200) / udp
    send_and_check(attached,
                   of(s1, [chain, eight, chain]) +
                   of(None, [hbh_second, hbh_after_frag, hbh_second], "ipv6_hbh_not_first") +
                   of(None, [nine], "ipv6_ext_too_many") +
                   of(None, [too_long] * 2, "ipv6_ext_trunc"))
