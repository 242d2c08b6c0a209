"""Packets the tests send and the counters they must produce.

Every frame goes to a MAC address the gate does not own, so after XDP passes
it the kernel drops it as "other host" instead of answering or forwarding it:
nothing the test sends causes traffic back into the gate.
"""
import ipaddress
from collections import Counter

from scapy.all import ARP, Dot1Q, Ether, IP, IPv6, IPv6ExtHdrDestOpt, Raw, UDP

DST_MAC = "02:78:67:00:00:01"
SRC_MAC = "02:78:67:00:00:02"
DST4 = "198.51.100.1"
DST6 = "2001:db8:ffff::1"


def frame_len(pkt):
    return len(bytes(pkt))


def udp(src, size, sport=40000, dport=9):
    """A UDP frame from src, exactly size bytes long (Ethernet included)."""
    v6 = ipaddress.ip_address(src).version == 6
    l3 = IPv6(src=src, dst=DST6) if v6 else IP(src=src, dst=DST4)
    head = Ether(src=SRC_MAC, dst=DST_MAC) / l3 / UDP(sport=sport, dport=dport)
    pad = size - frame_len(head)
    assert pad >= 0, "frame of %d bytes too small for %s" % (size, src)
    pkt = head / Raw(b"\xa5" * pad)
    assert frame_len(pkt) == size
    return pkt


def flows(plan):
    """plan: {src: [size, size, ...]} -> one UDP frame per size."""
    return [udp(src, size, sport=40000 + i)
            for src, sizes in plan.items() for i, size in enumerate(sizes)]


def per_source(plan):
    """What stats must report per source for a plan: {ip: (packets, bytes)}."""
    return {ipaddress.ip_address(src): (len(sizes), sum(sizes))
            for src, sizes in plan.items()}


def add(a, b):
    """Sum of two per_source() results."""
    out = dict(a)
    for k, (p, n) in b.items():
        op, on = out.get(k, (0, 0))
        out[k] = (op + p, on + n)
    return out


def reported(ifc):
    """stats' sources as {ip: (packets, bytes)}; duplicates are an error."""
    rows = Counter(ipaddress.ip_address(s["source"]) for s in ifc["sources"])
    dup = [str(k) for k, n in rows.items() if n > 1]
    assert not dup, "sources listed twice: %s" % dup
    return {ipaddress.ip_address(s["source"]): (s["packets"], s["bytes"])
            for s in ifc["sources"]}


def total(pkts):
    return len(pkts), sum(frame_len(p) for p in pkts)


# Malformed frames, one builder per parse reason the parser must report.
# Sources in them (192.0.2.66, 2001:db8::66) must never show up in stats.
BAD_SRC4 = "192.0.2.66"
BAD_SRC6 = "2001:db8::66"


def _eth(type_):
    return Ether(src=SRC_MAC, dst=DST_MAC, type=type_)


def malformed():
    """{reason: [frames]}, a different number of frames for each reason so a
    count landing under the wrong reason cannot go unnoticed.
    """
    udp4 = UDP(sport=1, dport=9) / Raw(b"m" * 12)
    ext = IPv6ExtHdrDestOpt()
    too_many = ext
    for _ in range(8):  # nine headers: one more than IPV6_EXT_MAX
        too_many = too_many / IPv6ExtHdrDestOpt()
    return {
        "ipv4_bad_ihl": [Ether(src=SRC_MAC, dst=DST_MAC) /
                         IP(src=BAD_SRC4, dst=DST4, ihl=ihl) / udp4
                         for ihl in (0, 1, 2, 3, 3, 4)],
        "ipv4_bad_version": [Ether(src=SRC_MAC, dst=DST_MAC) /
                             IP(src=BAD_SRC4, dst=DST4, version=6) / udp4],
        "ipv4_bad_len": [Ether(src=SRC_MAC, dst=DST_MAC) /
                         IP(src=BAD_SRC4, dst=DST4, len=19) / udp4] * 2,
        "ipv4_trunc": [_eth(0x0800) / Raw(bytes(IP(src=BAD_SRC4, dst=DST4))[:19])] * 3
                      + [Ether(src=SRC_MAC, dst=DST_MAC) /
                         IP(src=BAD_SRC4, dst=DST4, len=400) / udp4],
        "ipv6_trunc": [_eth(0x86DD) / Raw(bytes(IPv6(src=BAD_SRC6, dst=DST6))[:39])] * 2
                      + [Ether(src=SRC_MAC, dst=DST_MAC) /
                         IPv6(src=BAD_SRC6, dst=DST6, plen=300) / UDP() / Raw(b"t")] * 3,
        "ipv6_ext_trunc": [Ether(src=SRC_MAC, dst=DST_MAC) /
                           IPv6(src=BAD_SRC6, dst=DST6, nh=60) / Raw(b"\x11")] * 4,
        "ipv6_ext_too_many": [Ether(src=SRC_MAC, dst=DST_MAC) /
                              IPv6(src=BAD_SRC6, dst=DST6) / too_many / UDP()] * 2,
        "l4_trunc": [Ether(src=SRC_MAC, dst=DST_MAC) /
                     IP(src=BAD_SRC4, dst=DST4, proto=17) / Raw(b"abcd")] * 3
                    + [Ether(src=SRC_MAC, dst=DST_MAC) /
                       IPv6(src=BAD_SRC6, dst=DST6, nh=6) / Raw(b"x" * 19)] * 2,
        "vlan_too_deep": [Ether(src=SRC_MAC, dst=DST_MAC) / Dot1Q(vlan=1) /
                          Dot1Q(vlan=2) / Dot1Q(vlan=3) /
                          IP(src=BAD_SRC4, dst=DST4) / udp4],
        "vlan_trunc": [_eth(0x8100) / Raw(b"\x00\x01")] * 2,
        "not_ip": [Ether(src=SRC_MAC, dst="ff:ff:ff:ff:ff:ff") /
                   ARP(psrc="192.0.2.67", pdst="192.0.2.68", hwsrc=SRC_MAC)] * 5,
    }
