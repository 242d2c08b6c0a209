"""One stats schema: `stats --json`, `stats --prom` and the table carry the
same names, checked field by field against the traffic sent; the
exposition passes `promtool check metrics`, bounds per-source series to the
top N with the rest in source="other", and keeps odd interface names apart.
"""
import ipaddress
import subprocess
import time

import pytest

import traffic
import xgcli
import xgnet
import xgprom
from xgcli import stats, wait_stats, xg, xg_ok

# Seven sources with distinct packet counts (so the top N is one order) and
# distinct sizes inside each.
PLAN = {
    "192.0.2.10": [100 + j for j in range(9)],
    "192.0.2.11": [200 + 3 * j for j in range(7)],
    "192.0.2.12": [70 + j for j in range(6)],
    "2001:db8:7::1": [120 + j for j in range(5)],
    "192.0.2.13": [300] * 4,
    "2001:db8:7::2": [90, 91, 92],
    "192.0.2.14": [64, 65],
}
TOP = 3
SOURCE_FIELDS = {"packets": "xdpgate_source_packets_total", "bytes": "xdpgate_source_bytes_total",
                 "drops": "xdpgate_source_drops_total",
                 "redirects": "xdpgate_source_redirects_total",
                 "limited": "xdpgate_source_limited_total"}


def ev_inserted(ifc):
    return ifc["evictions"]["inserted"]


def fam(src):
    return "ipv%d" % ipaddress.ip_address(src).version


@pytest.fixture
def sent(attached):
    """attached + PLAN and the malformed frames sent, counters settled."""
    pkts = traffic.flows(PLAN)
    bad = traffic.malformed()
    allbad = [p for frames in bad.values() for p in frames]
    t0 = time.time()
    attached.send(pkts + allbad)
    ifc = wait_stats(attached.gate, len(pkts) + len(allbad))
    return attached, pkts, bad, ifc, t0, time.time()


def test_json_field_by_field(sent):
    topo, pkts, bad, ifc, t0, t1 = sent
    good_n, good_b = traffic.total(pkts)
    bad_n, bad_b = traffic.total([p for f in bad.values() for p in f])
    prog = xgcli.link_xdp(topo.gate)[1]
    assert set(ifc) == {"ifname", "ifindex", "hook", "direction", "counted_by", "mode", "via",
                        "prog_id", "actions", "parse", "accounting", "sources_total",
                        "evictions", "sources"}, set(ifc)
    acc = ifc["accounting"]
    assert acc["mode"] == "admission"
    assert acc["held"] == {"packets": 0, "bytes": 0, "ipv4": {"packets": 0, "bytes": 0},
                           "ipv6": {"packets": 0, "bytes": 0}}, acc  # every source proved itself
    assert acc["admitted"] + acc["budgeted"] == ev_inserted(ifc)
    assert (ifc["counted_by"], ifc["via"]) == ("source", "netlink")
    assert ifc["ifname"] == topo.gate
    assert ifc["ifindex"] == topo.ifindex
    assert (ifc["hook"], ifc["direction"], ifc["mode"]) == ("xdp", "ingress", "native")
    assert ifc["prog_id"] == prog
    assert set(ifc["actions"]) == set(xgcli.ACTIONS)
    assert ifc["actions"]["pass"] == {"packets": good_n + bad_n, "bytes": good_b + bad_b}
    for a in xgcli.ACTIONS[1:]:
        assert ifc["actions"][a] == {"packets": 0, "bytes": 0}, a
    assert set(ifc["parse"]) == set(xgcli.REASONS)
    for r in xgcli.REASONS:
        frames = bad.get(r, [])
        assert ifc["parse"][r] == {"packets": len(frames),
                                   "bytes": sum(map(traffic.frame_len, frames))}, r
    assert ifc["sources_total"] == len(PLAN)
    ev = ifc["evictions"]
    assert set(ev) == {"inserted", "evicted", "packets", "bytes"}
    assert (ev["evicted"], ev["packets"], ev["bytes"]) == (0, 0, 0)
    assert ev["inserted"] <= len(PLAN)  # a source still in its hot slot is not inserted yet
    want = traffic.per_source(PLAN)
    assert len(ifc["sources"]) == len(PLAN)
    for row in ifc["sources"]:
        assert set(row) == {"source", "family", "last_seen", "estimate", "held_est"} | \
            set(SOURCE_FIELDS), row
        assert (row["estimate"], row["held_est"]) == (False, 0), row  # nothing held
        ip = ipaddress.ip_address(row["source"])
        assert (row["packets"], row["bytes"]) == want[ip], row
        assert row["family"] == fam(row["source"])
        assert (row["drops"], row["redirects"], row["limited"]) == (0, 0, 0), row
        assert t0 - 1 <= row["last_seen"] <= t1 + 1, (row, t0, t1)
    # Busiest first, as every output ranks them.
    assert [r["packets"] for r in ifc["sources"]] == sorted(
        (len(v) for v in PLAN.values()), reverse=True)
    # The table carries the same names.
    table = xg_ok("stats", topo.gate).stdout
    head = table.splitlines()[0]
    assert "hook xdp" in head and "direction ingress" in head and "mode native" in head, head
    for word in list(xgcli.ACTIONS) + list(SOURCE_FIELDS) + ["source", "last_seen"]:
        assert word in table, word


def test_prom_same_counts_and_names(sent):
    topo, pkts, bad, ifc, _, _ = sent
    text = xg_ok("stats", topo.gate, "--prom", "--top", TOP).stdout
    xgprom.promtool_check(text)
    s, types = xgprom.parse(text)
    me = {"ifname": topo.gate, "hook": "xdp", "direction": "ingress"}
    assert xgprom.value(s, "xdpgate_up", layer="xdp") == 1
    for name, kind in types.items():
        assert (kind == "counter") == name.endswith("_total"), (name, kind)
    # Same label values as the JSON keys, same counts.
    acts = xgprom.select(s, "xdpgate_packets_total", **me)
    assert {dict(k)["action"] for k in acts} == set(ifc["actions"])
    for a, c in ifc["actions"].items():
        assert xgprom.value(s, "xdpgate_packets_total", action=a, **me) == c["packets"]
        assert xgprom.value(s, "xdpgate_bytes_total", action=a, **me) == c["bytes"]
    reasons = xgprom.select(s, "xdpgate_parse_errors_total", **me)
    assert {dict(k)["reason"] for k in reasons} == set(ifc["parse"])
    for r, c in ifc["parse"].items():
        assert xgprom.value(s, "xdpgate_parse_errors_total", reason=r, **me) == c["packets"]
        assert xgprom.value(s, "xdpgate_parse_error_bytes_total", reason=r, **me) == c["bytes"]
    info = xgprom.select(s, "xdpgate_instance_info", **me)
    assert len(info) == 1
    labels = dict(next(iter(info)))
    assert (labels["mode"], labels["via"], labels["counted_by"], labels["ifindex"]) == \
        ("native", "netlink", "source", str(topo.ifindex))
    assert labels["pin_path"] == topo.pin_dir
    assert xgprom.value(s, "xdpgate_prog_id", **me) == ifc["prog_id"]
    # Top N sources exact, the rest per family in "other".
    ranked = sorted(PLAN, key=lambda k: -len(PLAN[k]))
    for src in ranked[:TOP]:
        for field, metric in SOURCE_FIELDS.items():
            row = next(r for r in ifc["sources"] if r["source"] == src)
            assert xgprom.value(s, metric, source=src, family=fam(src), **me) == row[field]
    srcs = {dict(k)["source"] for k in xgprom.select(s, "xdpgate_source_packets_total", **me)}
    assert srcs == set(ranked[:TOP]) | {"other"}
    for f in ("ipv4", "ipv6"):
        rest = [k for k in ranked[TOP:] if fam(k) == f]
        assert xgprom.value(s, "xdpgate_source_packets_total", source="other", family=f,
                            **me) == sum(len(PLAN[k]) for k in rest)
        assert xgprom.value(s, "xdpgate_source_bytes_total", source="other", family=f,
                            **me) == sum(sum(PLAN[k]) for k in rest)
        assert xgprom.value(s, "xdpgate_sources", family=f, **me) == \
            sum(1 for k in PLAN if fam(k) == f)
    # The rows add up: sources + held + evicted + insert failures = what
    # reached per-source accounting.
    rows = sum(xgprom.select(s, "xdpgate_source_packets_total", **me).values())
    accounted = sum(c["packets"] for c in ifc["actions"].values()) - sum(
        c["packets"] for r, c in ifc["parse"].items() if r != "src_update_fail")
    held = sum(xgprom.select(s, "xdpgate_held_packets_total", **me).values())
    assert rows + held + xgprom.value(s, "xdpgate_evicted_packets_total", **me) + \
        xgprom.value(s, "xdpgate_parse_errors_total", reason="src_update_fail", **me) == accounted
    assert labels["accounting"] == ifc["accounting"]["mode"]
    assert xgprom.value(s, "xdpgate_sources_admitted_total", **me) == ifc["accounting"]["admitted"]
    assert xgprom.value(s, "xdpgate_estimate_bound", **me) == ifc["accounting"]["estimate_bound"]
    assert xgprom.value(s, "xdpgate_map_max_entries", map="xg_src_v4", **me) == 131072
    assert xgprom.value(s, "xdpgate_rules", **me) == 0
    assert "xdpgate_exporter_scrapes_total" not in xgprom.names(s)  # serve only


def test_prom_absent_and_usage(topo):
    # Named but not running: exit 1 with the reason, and the layer absent.
    p = xg("stats", topo.gate, "--prom")
    assert p.returncode == 1 and "not running" in p.stderr, p.stderr
    s, _ = xgprom.parse(p.stdout)
    assert xgprom.value(s, "xdpgate_up", layer="xdp") == 0
    assert not xgprom.select(s, "xdpgate_packets_total", ifname=topo.gate)
    for args in (("--json", "--prom"), ("--cgroups",), ("--prom", "--top", "0")):
        p = xg("stats", topo.gate, *args)
        assert p.returncode == 2 and "usage:" in p.stderr, (args, p.stderr)


# Names the kernel accepts and the exposition must keep apart and escape:
# a quote and a backslash, two non-UTF-8 bytes that JSON would both write
# as U+FFFD, and UTF-8.
ODD = ['q"\\', "\udcff", "\udcfe", "\u00e9"]


def shown_in_label(name):
    """The label value: printable UTF-8 as it is, other bytes and the
    backslash as \\xNN (what tables show).
    """
    out = ""
    for ch in name:
        if 0xdc80 <= ord(ch) <= 0xdcff:
            out += "\\x%02x" % (ord(ch) - 0xdc00)
        elif ch == "\\":
            out += "\\x5c"
        else:
            out += ch
    return out


def test_prom_odd_interface_names():
    made = []
    try:
        for suffix in ODD:
            t = xgnet.Topology()
            t.gate = t.gate + suffix
            made.append(t)
            t.setup()
        names = [t.gate.encode("utf-8", "surrogateescape") for t in made]
        for n in names:
            p = subprocess.run([xgcli.XDPGATE, "attach", n, "--mode", "native"],
                               capture_output=True, timeout=30)
            assert p.returncode == 0, p.stderr
        p = subprocess.run([xgcli.XDPGATE, "stats", "--prom"] + names,
                           capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr
        text = p.stdout.decode("utf-8")  # strictly: valid whatever the names
        xgprom.promtool_check(text)
        s, _ = xgprom.parse(text)
        got = {dict(k)["ifname"] for k in xgprom.select(s, "xdpgate_instance_info")}
        assert got == {shown_in_label(t.gate) for t in made}, got
        assert len(got) == len(ODD)  # \xff and \xfe stay two series
    finally:
        for t in made:
            t.teardown()


def test_prom_cgroup_cells_match_json():
    """The socket layer's series: every cell of this test's cgroups equals
    `cgroups --json`, names and paths as there; the rest in cgroup="other".
    """
    import fcntl
    import os
    import xgcgroup
    with open(xgcgroup.CG_LAYER_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ours = not os.path.exists(xgcgroup.CG_PIN_DIR)
        cgs = xgcgroup.CgroupSet()
        try:
            if ours:
                xg_ok("cgroups", "attach")
            a, b = cgs.child(cgs.tag + "a01"), cgs.child(cgs.tag + "b01")
            xgcgroup.flow("udp", xgcgroup.socket.AF_INET, a, b, 5, 300, 3, 111)
            xgcgroup.flow("tcp", xgcgroup.socket.AF_INET6, a, b, 4, 2000, 2, 500)
            p = xg("stats", "--prom", "--cgroups", "--top", "100000", "xge00000g00")
            assert p.returncode == 1  # the interface named does not exist
            xgprom.promtool_check(p.stdout)
            s, _ = xgprom.parse(p.stdout)
            doc = xgcli.xg_json("cgroups")
            root = xgcgroup.v2_root()
            assert xgprom.value(s, "xdpgate_up", layer="cgroup") == 1
            info = dict(next(iter(xgprom.select(s, "xdpgate_cgroup_info"))))
            assert info["backend"] == doc["backend"]
            for cg in (a, b):
                row = next(r for r in doc["cgroups"] if r["path"] == cg[len(root):])
                for proto in ("tcp", "udp"):
                    for fam in ("ipv4", "ipv6"):
                        for d in ("tx", "rx"):
                            lab = dict(cgroup=row["cgroup"], path=row["path"],
                                       proto=proto, family=fam, direction=d)
                            cell = row[proto][fam]
                            assert xgprom.value(s, "xdpgate_cgroup_bytes_total", **lab) == \
                                cell[d + "_bytes"], lab
                            assert xgprom.value(s, "xdpgate_cgroup_packets_total", **lab) == \
                                cell[d + "_packets"], lab
                assert row["tx_bytes"] > 0 and row["rx_bytes"] > 0
            assert xgprom.select(s, "xdpgate_cgroup_bytes_total", cgroup="other")
        finally:
            cgs.teardown()
            if ours:
                xg("cgroups", "detach")


def test_prom_xdp_and_tc_one_schema(topo):
    """XDP and TC ingress on one interface: the same families, told apart by
    hook and direction, the same counts for the same frames."""
    xg_ok("attach", topo.gate, "--mode", "native")
    xg_ok("attach", topo.gate, "--hook", "tc", "--direction", "ingress")
    pkts = traffic.flows(PLAN)
    topo.send(pkts)
    doc = xgcli.wait_every_hook(topo.gate, len(pkts))
    text = xg_ok("stats", topo.gate, "--prom", "--top", TOP).stdout
    xgprom.promtool_check(text)
    s, _ = xgprom.parse(text)
    assert xgprom.value(s, "xdpgate_up", layer="xdp") == 1
    assert xgprom.value(s, "xdpgate_up", layer="tc") == 1
    n, b = traffic.total(pkts)
    infos = {dict(k)["hook"]: dict(k) for k in
             xgprom.select(s, "xdpgate_instance_info", ifname=topo.gate)}
    assert set(infos) == {"xdp", "tc"}
    assert infos["tc"]["direction"] == "ingress" and infos["tc"]["mode"] == ""
    assert infos["tc"]["via"] in ("tcx", "clsact") and infos["tc"]["counted_by"] == "source"
    ranked = sorted(PLAN, key=lambda k: -len(PLAN[k]))
    for hook in ("xdp", "tc"):
        me = dict(ifname=topo.gate, hook=hook, direction="ingress")
        assert xgprom.value(s, "xdpgate_packets_total", action="pass", **me) == n
        assert xgprom.value(s, "xdpgate_bytes_total", action="pass", **me) == b
        assert xgprom.value(s, "xdpgate_source_packets_total", source=ranked[0],
                            family=fam(ranked[0]), **me) == len(PLAN[ranked[0]])
        j = next(i for i in doc if i["hook"] == hook)
        assert xgprom.value(s, "xdpgate_prog_id", **me) == j["prog_id"]


def test_prom_admission_held_and_estimates(topo):
    """A flood of one-off sources into a 64-entry map: what the admission
    stage held is in xdpgate_held_*_total exactly as in JSON, every packet
    is still in a source series (top N or other), held, evicted or lost,
    and only rows JSON marks as estimates have an estimate series.
    """
    xg_ok("attach", topo.gate, "--mode", "native", "--max-sources", "64")
    big = traffic.flows({"192.0.2.100": [100] * 300})
    flood = [traffic.udp("10.77.%d.%d" % (i // 250, 1 + i % 250), 64) for i in range(3000)]
    topo.send(big)
    topo.send(flood)
    sent = len(big) + len(flood)
    ifc = wait_stats(topo.gate, sent)
    doc = stats(topo.gate, "--top", "5")  # the same ranking as --prom --top 5
    text = xg_ok("stats", topo.gate, "--prom", "--top", "5").stdout
    xgprom.promtool_check(text)
    s, _ = xgprom.parse(text)
    me = {"ifname": topo.gate, "hook": "xdp", "direction": "ingress"}
    acc = ifc["accounting"]
    assert acc["held"]["packets"] > 0, acc
    for f in ("ipv4", "ipv6"):
        assert xgprom.value(s, "xdpgate_held_packets_total", family=f, **me) == \
            acc["held"][f]["packets"]
        assert xgprom.value(s, "xdpgate_held_bytes_total", family=f, **me) == \
            acc["held"][f]["bytes"]
    rows = sum(xgprom.select(s, "xdpgate_source_packets_total", **me).values())
    held = sum(xgprom.select(s, "xdpgate_held_packets_total", **me).values())
    assert rows + held + xgprom.value(s, "xdpgate_evicted_packets_total", **me) + \
        xgprom.value(s, "xdpgate_parse_errors_total", reason="src_update_fail", **me) == sent
    assert xgprom.value(s, "xdpgate_source_packets_total", source="192.0.2.100",
                        family="ipv4", **me) == 300
    est = {dict(k)["source"]: v for k, v in
           xgprom.select(s, "xdpgate_source_held_estimate", **me).items()
           if dict(k)["source"] != "other"}
    marked = {r["source"]: r["held_est"] for r in doc["sources"] if r["estimate"]}
    # The sketch decays between the two reads: never up, never new.
    assert set(est) <= set(marked), (est, marked)
    for src, v in est.items():
        assert 0 < v <= marked[src], (src, v, marked[src])
