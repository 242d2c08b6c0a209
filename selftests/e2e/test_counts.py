"""Exact counters read back through `xdpgate stats` after real traffic."""
import ipaddress
import os
import time

import pytest

import traffic
import xgcli
from xgcli import instance, stats, wait_stats, xg_json, xg_ok

M, K = 5, 7


def source_plan():
    """M IPv4 and M IPv6 sources, K packets each; every source has its own
    sizes (and sizes differ inside a source) so a miscount shows in bytes.
    """
    plan = {}
    for i in range(M):
        plan["192.0.2.%d" % (10 + i)] = [60 + 37 * i + j for j in range(K)]
        plan["2001:db8:1::%x" % (0xa0 + i)] = [80 + 53 * i + 3 * j for j in range(K)]
    return plan


def zero(ifc, actions=(), reasons=()):
    """Every action and reason not named is exactly zero."""
    for a in xgcli.ACTIONS:
        if a not in actions:
            assert ifc["actions"][a] == {"packets": 0, "bytes": 0}, (a, ifc["actions"])
    assert sorted(ifc["parse"]) == sorted(xgcli.REASONS)
    for r in xgcli.REASONS:
        if r not in reasons:
            assert ifc["parse"][r] == {"packets": 0, "bytes": 0}, (r, ifc["parse"])


def counter(pkts):
    n, b = traffic.total(pkts)
    return {"packets": n, "bytes": b}


@pytest.mark.parametrize("mode", ["native", "skb"])
def test_exact_counts_per_source(topo, mode):
    xg_ok("attach", topo.gate, "--mode", mode)
    plan = source_plan()
    pkts = traffic.flows(plan)
    topo.send(pkts)
    ifc = wait_stats(topo.gate, len(pkts))

    assert (ifc["ifname"], ifc["ifindex"], ifc["hook"], ifc["mode"]) == \
        (topo.gate, topo.ifindex, "xdp", mode)
    assert traffic.reported(ifc) == traffic.per_source(plan)
    assert ifc["sources_total"] == 2 * M
    assert ifc["actions"]["pass"] == counter(pkts)
    zero(ifc, actions=("pass",))
    now = time.time()
    for s in ifc["sources"]:
        fam = "ipv%d" % ipaddress.ip_address(s["source"]).version
        assert s["family"] == fam, s
        assert (s["drops"], s["redirects"]) == (0, 0), s
        assert now - 60 < s["last_seen"] <= now + 1, \
            "last_seen %.3f is not a recent Unix time (now %.3f)" % (s["last_seen"], now)
    check_status_sources(topo.gate, M, M)


def check_status_sources(ifname, n4, n6):
    """status counts distinct sources with the hot caches merged in; where
    a source's counts sit (LRU map, a cache slot, or both) is its business,
    but neither map can hold more sources than there are.
    """
    inst = instance(ifname)
    assert inst["sources"] == {"ipv4": n4, "ipv6": n6}, inst["sources"]
    maps = inst["maps"]
    for m, n in (("xg_src_v4", n4), ("xg_src_v6", n6),
                 ("xg_hot_v4", n4), ("xg_hot_v6", n6)):
        assert 0 <= maps[m]["entries"] <= min(n, maps[m]["max_entries"]), (m, maps[m])
    return maps


def test_malformed_counted_by_reason(attached):
    t = attached
    good = {"192.0.2.20": [70, 71], "2001:db8::20": [90]}
    bad = traffic.malformed()
    pkts = traffic.flows(good) + [p for ps in bad.values() for p in ps]
    t.send(pkts)
    ifc = wait_stats(t.gate, len(pkts))

    for reason, ps in bad.items():
        assert ifc["parse"][reason] == counter(ps), reason
    zero(ifc, actions=("pass",), reasons=tuple(bad))
    assert ifc["actions"]["pass"] == counter(pkts)
    # Only the well-formed packets are attributed to a source.
    assert traffic.reported(ifc) == traffic.per_source(good)
    assert ifc["sources_total"] == len(good)


def test_drop_unparsed(topo):
    xg_ok("attach", topo.gate, "--drop-unparsed")
    good = {"192.0.2.21": [100], "2001:db8::21": [120, 130]}
    bad = traffic.malformed()
    arp = bad.pop("not_ip")
    broken = [p for ps in bad.values() for p in ps]
    pkts = traffic.flows(good) + arp + broken
    topo.send(pkts)
    ifc = wait_stats(topo.gate, len(pkts))

    assert ifc["actions"]["drop"] == counter(broken)
    assert ifc["actions"]["pass"] == counter(traffic.flows(good) + arp)
    assert ifc["parse"]["not_ip"] == counter(arp)
    for reason, ps in bad.items():
        assert ifc["parse"][reason] == counter(ps), reason
    zero(ifc, actions=("pass", "drop"), reasons=tuple(bad) + ("not_ip",))
    assert traffic.reported(ifc) == traffic.per_source(good)


def test_counters_survive_loader_exit(attached):
    """Each CLI call is a new process: counts must accumulate across them."""
    t = attached
    prog = instance(t.gate)["prog_id"]
    a = {"192.0.2.30": [64, 65], "2001:db8::30": [100]}
    b = {"192.0.2.30": [66], "192.0.2.31": [70, 71, 72], "2001:db8::30": [101]}
    t.send(traffic.flows(a))
    first = wait_stats(t.gate, 3)
    assert traffic.reported(first) == traffic.per_source(a)
    assert stats(t.gate) == first, "reading the counters changed them"

    t.send(traffic.flows(b))
    ifc = wait_stats(t.gate, 3 + 5)
    want = traffic.add(traffic.per_source(a), traffic.per_source(b))
    assert traffic.reported(ifc) == want
    assert ifc["actions"]["pass"] == counter(traffic.flows(a) + traffic.flows(b))
    assert instance(t.gate)["prog_id"] == prog


# packets order A B C D E (C and D tie: address order); bytes order C B E A D
# (B and E tie: address order).
SORT_PLAN = {
    "192.0.2.40": [60] * 8,           # A  8 pkts   480 B
    "2001:db8::b": [300] * 6,         # B  6 pkts  1800 B
    "192.0.2.41": [500] * 4,          # C  4 pkts  2000 B
    "192.0.2.42": [100] * 4,          # D  4 pkts   400 B
    "2001:db8::e": [900] * 2,         # E  2 pkts  1800 B
}
BY_PACKETS = ["192.0.2.40", "2001:db8::b", "192.0.2.41", "192.0.2.42", "2001:db8::e"]
BY_BYTES = ["192.0.2.41", "2001:db8::b", "2001:db8::e", "192.0.2.40", "192.0.2.42"]


def order(ifc):
    return [str(ipaddress.ip_address(s["source"])) for s in ifc["sources"]]


@pytest.fixture
def sorted_traffic(attached):
    pkts = traffic.flows(SORT_PLAN)
    attached.send(pkts)
    ifc = wait_stats(attached.gate, len(pkts))
    assert traffic.reported(ifc) == traffic.per_source(SORT_PLAN)
    return attached


def test_sort_and_top_json(sorted_traffic):
    gate = sorted_traffic.gate
    assert order(stats(gate)) == BY_PACKETS
    assert order(stats(gate, "--sort", "packets")) == BY_PACKETS
    assert order(stats(gate, "--sort", "bytes")) == BY_BYTES
    top = stats(gate, "--top", "2")
    assert order(top) == BY_PACKETS[:2] and top["sources_total"] == 5
    top = stats(gate, "--top", "3", "--sort", "bytes")
    assert order(top) == BY_BYTES[:3] and top["sources_total"] == 5
    assert order(stats(gate, "--top", "99")) == BY_PACKETS


def _rows(text, sources):
    """Line number of each source in a table; None when absent."""
    lines = text.splitlines()
    out = {}
    for s in sources:
        hits = [i for i, ln in enumerate(lines) if s in ln.split()]
        assert len(hits) <= 1, "%s on several lines:\n%s" % (s, text)
        out[s] = hits[0] if hits else None
    return out


def test_sort_and_top_table(sorted_traffic):
    gate = sorted_traffic.gate
    text = xg_ok("stats", gate).stdout
    rows = _rows(text, BY_PACKETS)
    assert None not in rows.values(), text
    assert sorted(BY_PACKETS, key=rows.get) == BY_PACKETS, text
    assert gate in text
    for word in ("source", "packets", "bytes", "last_seen"):
        assert word in text, "table has no %s column:\n%s" % (word, text)
    rows = _rows(xg_ok("stats", gate, "--sort", "bytes").stdout, BY_BYTES)
    assert sorted(BY_BYTES, key=rows.get) == BY_BYTES
    text = xg_ok("stats", gate, "--top", "2", "--sort", "bytes").stdout
    rows = _rows(text, BY_BYTES)
    assert [s for s in BY_BYTES if rows[s] is not None] == BY_BYTES[:2], text


def test_stats_all_interfaces(make_topo):
    """Each interface has its own maps; stats without IFACE lists them all."""
    t1, t2 = make_topo(), make_topo()
    xg_ok("attach", t1.gate, "--mode", "native")
    xg_ok("attach", t2.gate, "--mode", "skb")
    p1 = {"192.0.2.50": [64, 64, 64]}
    p2 = {"192.0.2.50": [100], "2001:db8::50": [128, 129]}
    t1.send(traffic.flows(p1))
    t2.send(traffic.flows(p2))
    wait_stats(t1.gate, 3)
    wait_stats(t2.gate, 3)
    every = {i["ifname"]: i for i in xg_json("stats", t1.gate, t2.gate)["interfaces"]}
    assert sorted(every) == sorted([t1.gate, t2.gate]), every.keys()
    assert traffic.reported(every[t1.gate]) == traffic.per_source(p1)
    assert traffic.reported(every[t2.gate]) == traffic.per_source(p2)
    assert (every[t1.gate]["mode"], every[t2.gate]["mode"]) == ("native", "skb")
    listed = [i["ifname"] for i in xgcli.status(t1.gate, t2.gate)["instances"]]
    assert sorted(listed) == sorted([t1.gate, t2.gate]), listed


def test_top_defaults(attached):
    """JSON lists every source unless --top; the table stops at 20 rows."""
    t = attached
    plan = {"192.0.2.%d" % (100 + i): [64 + i] * (1 + i % 3) for i in range(25)}
    pkts = traffic.flows(plan)
    t.send(pkts)
    ifc = wait_stats(t.gate, len(pkts))
    assert traffic.reported(ifc) == traffic.per_source(plan)
    assert ifc["sources_total"] == 25
    rows = _rows(xg_ok("stats", t.gate).stdout, list(plan))
    assert sum(r is not None for r in rows.values()) == 20, rows
    rows = _rows(xg_ok("stats", t.gate, "--top", "25").stdout, list(plan))
    assert None not in rows.values()


def test_busy_source_written_back_exact(attached):
    """More packets per source than a cache slot gathers before it writes
    back (XG_HOT_WRITEBACK_PKTS = 256 per CPU). The packets may land on any
    CPU, so send more than 255 per CPU could hold: at least one slot reaches
    256 and writes back, whatever the split. stats must still be exact, the
    source listed once.
    """
    t = attached
    n = 255 * max(2, os.cpu_count() or 1) + 1
    plan = {"192.0.2.40": [64 + i % 7 for i in range(n)],
            "2001:db8::40": [90 + i % 5 for i in range(n)]}
    pkts = traffic.flows(plan)
    t.send(pkts)
    ifc = wait_stats(t.gate, len(pkts))

    assert traffic.reported(ifc) == traffic.per_source(plan)
    assert ifc["sources_total"] == 2
    assert ifc["actions"]["pass"] == counter(pkts)
    zero(ifc, actions=("pass",))
    maps = check_status_sources(t.gate, 1, 1)
    # The write-back really happened: the LRU maps hold the sources.
    assert (maps["xg_src_v4"]["entries"], maps["xg_src_v6"]["entries"]) == (1, 1), maps
    assert stats(t.gate) == ifc, "reading the counters changed them"
