"""Rules end to end: real frames through a veth into xdpgate, verdicts seen
on the wire (sniffed behind the gate or on a redirect target) and in the
counters, the rules commands and `apply`."""
import ipaddress
import os
import subprocess
import tempfile
import time

import pytest
from scapy.all import AsyncSniffer, Dot1Q, Ether, IP, Raw, UDP, conf

import traffic
import xgnet
from xgcli import stats, wait_stats, xg, xg_json, xg_ok


def rules(ifname):
    doc = xg_json("rules", "list", "--iface", ifname)
    assert [i["ifname"] for i in doc["interfaces"]] == [ifname]
    return doc["interfaces"][0]


def rule(ifname, text):
    found = [r for r in rules(ifname)["rules"] if r["rule"] == text]
    assert len(found) == 1, (text, rules(ifname)["rules"])
    return found[0]


class Sniff:
    """Frames arriving on ifname (in netns when given), from what XDP let
    through; stop() returns them."""

    def __init__(self, ifname, netns=None):
        if netns:
            self.sock = xgnet.open_l2socket_in_netns(netns, ifname, conf)
        else:
            self.sock = conf.L2listen(iface=ifname)
        self.sniffer = AsyncSniffer(opened_socket=self.sock, store=True)
        self.sniffer.start()
        time.sleep(0.2)

    def stop(self):
        time.sleep(0.3)
        got = self.sniffer.stop() or []
        self.sock.close()
        return got


def sources(frames):
    out = {}
    for f in frames:
        l3 = f.getlayer("IP") or f.getlayer("IPv6")
        if l3 is not None and l3.dst in (traffic.DST4, traffic.DST6):
            out[l3.src] = out.get(l3.src, 0) + 1
    return out


@pytest.mark.parametrize("family", [4, 6])
def test_drop_and_longest_prefix(attached, family):
    t = attached
    if family == 4:
        net, inner, bad, good, other = "10.9.0.0/16", "10.9.1.0/24", "10.9.7.7", "10.9.1.5", "192.0.2.5"
    else:
        net, inner, bad, good, other = "2001:db8:9::/48", "2001:db8:9:1::/64", \
            "2001:db8:9:7::7", "2001:db8:9:1::5", "2001:db8:ff::5"
    xg_ok("rules", "add", net, "drop", "--iface", t.gate)
    xg_ok("rules", "add", inner, "pass", "--iface", t.gate)
    plan = {bad: [100] * 6, good: [110] * 4, other: [120] * 3}
    sn = Sniff(t.gate)
    t.send(traffic.flows(plan))
    seen = sources(sn.stop())
    ifc = wait_stats(t.gate, 13)
    assert bad not in seen, "dropped packets reached the gate's stack: %s" % seen
    assert seen.get(good) == 4 and seen.get(other) == 3, seen
    assert ifc["actions"]["drop"] == {"packets": 6, "bytes": 600}
    row = {s["source"]: s for s in ifc["sources"]}
    assert (row[bad]["packets"], row[bad]["drops"]) == (6, 6)
    assert row[good]["drops"] == 0
    assert (rule(t.gate, net + " drop")["packets"], rule(t.gate, net + " drop")["bytes"]) == (6, 600)
    assert rule(t.gate, inner + " pass")["packets"] == 4
    assert rules(t.gate)["default_hits"]["packets"] == 3


def test_next_packet_obeys_add_and_del(attached):
    t = attached
    src = "198.51.100.77"
    t.send(traffic.flows({src: [90]}))
    wait_stats(t.gate, 1)
    xg_ok("rules", "add", "198.51.100.0/24", "drop", "--iface", t.gate)
    t.send(traffic.flows({src: [90]}))
    ifc = wait_stats(t.gate, 2)
    assert ifc["actions"]["drop"]["packets"] == 1
    xg_ok("rules", "del", "198.51.100.0/24", "--iface", t.gate)
    t.send(traffic.flows({src: [90]}))
    ifc = wait_stats(t.gate, 3)
    assert (ifc["actions"]["pass"]["packets"], ifc["actions"]["drop"]["packets"]) == (2, 1)


def test_allow_list_and_vlan(attached):
    t = attached
    xg_ok("rules", "default", "drop", "--iface", t.gate)
    xg_ok("rules", "add", "192.0.2.0/24", "pass", "--iface", t.gate)
    xg_ok("rules", "add", "192.0.2.0/24", "vlan", "7", "drop", "--iface", t.gate)

    def tagged(vlan, src):
        return Ether(src=traffic.SRC_MAC, dst=traffic.DST_MAC) / Dot1Q(vlan=vlan) / \
            IP(src=src, dst=traffic.DST4) / UDP(sport=1, dport=9) / Raw(b"v" * 20)
    pkts = [tagged(7, "192.0.2.1")] * 3 + [tagged(8, "192.0.2.1")] * 2 + \
        traffic.flows({"192.0.2.1": [80], "203.0.113.1": [80, 80, 80, 80]})
    t.send(pkts)
    ifc = wait_stats(t.gate, len(pkts))
    assert ifc["actions"]["drop"]["packets"] == 3 + 4, ifc["actions"]
    assert ifc["actions"]["pass"]["packets"] == 2 + 1
    assert rule(t.gate, "192.0.2.0/24 vlan 7 drop")["packets"] == 3
    assert rules(t.gate)["default"] == "drop"
    assert rules(t.gate)["default_hits"]["packets"] == 4


def test_redirect_and_vanished_target(attached, make_topo, foreign_obj):
    t = attached
    out = make_topo()
    # veth takes redirected frames only when its peer runs XDP.
    xgnet.run("ip", "-n", out.netns, "link", "set", "dev", out.sender, "xdp",
              "obj", foreign_obj, "sec", "xdp")
    xg_ok("rules", "add", "192.0.2.0/24", "redirect", out.gate, "--iface", t.gate)
    far, near = Sniff(out.sender, out.netns), Sniff(t.gate)
    t.send(traffic.flows({"192.0.2.1": [100] * 5, "198.51.100.1": [100] * 2}))
    got_far, got_near = sources(far.stop()), sources(near.stop())
    assert got_far == {"192.0.2.1": 5}, got_far
    assert got_near == {"198.51.100.1": 2}, got_near
    ifc = wait_stats(t.gate, 7)
    assert ifc["actions"]["redirect"]["packets"] == 5
    row = {s["source"]: s for s in ifc["sources"]}
    assert row["192.0.2.1"]["redirects"] == 5
    # The target goes away: the kernel drops it from the devmap.
    xgnet.run("ip", "link", "del", "dev", out.gate)
    near = Sniff(t.gate)
    t.send(traffic.flows({"192.0.2.1": [100] * 3}))
    assert sources(near.stop()) == {"192.0.2.1": 3}
    ifc = wait_stats(t.gate, 10)
    assert ifc["actions"]["redirect_fail"]["packets"] == 3
    assert ifc["actions"]["redirect"]["packets"] == 5


SENDER = r"""
import sys, time
sys.path.insert(0, %(here)r)
import traffic, xgnet
from scapy.all import conf, sendp
sock = xgnet.open_l2socket_in_netns(%(netns)r, %(ifname)r, conf)
pkts = traffic.flows({%(src)r: [80] * %(n)d})
sys.stdout.write("ready\n"); sys.stdout.flush()
sys.stdin.readline()
sendp(pkts, socket=sock, verbose=False)
"""


def test_rate_limit_shared_by_both_cpus(attached):
    if os.cpu_count() < 2:
        pytest.skip("SKIP: needs two CPUs to send from both")
    t = attached
    rate, burst, n = 200, 20, 400
    xg_ok("rules", "add", "10.77.0.0/16", "limit", "%dpps" % rate, "burst", str(burst),
          "--iface", t.gate)
    here = os.path.dirname(os.path.abspath(__file__))
    code = SENDER % dict(here=here, netns=t.netns, ifname=t.sender, src="10.77.0.1", n=n)
    procs = [subprocess.Popen(["taskset", "-c", str(cpu), "/usr/bin/python3", "-c", code],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for cpu in (0, 1)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    t0 = time.monotonic()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.wait(timeout=60) == 0
    elapsed = time.monotonic() - t0
    ifc = wait_stats(t.gate, 2 * n)
    passed, limited = ifc["actions"]["pass"]["packets"], ifc["actions"]["limited"]["packets"]
    assert passed + limited == 2 * n
    assert passed <= burst + rate * elapsed, (passed, elapsed)
    assert passed >= burst
    row = {s["source"]: s for s in ifc["sources"]}
    assert row["10.77.0.1"]["limited"] == limited


def test_apply_invalid_twice_dry_run(attached):
    t = attached
    xg_ok("rules", "add", "10.5.0.0/16", "drop", "--iface", t.gate)
    before = rules(t.gate)
    with tempfile.NamedTemporaryFile("w", suffix=".rules") as f:
        f.write("interface %s\ndefault drop\n10.0.0.0/8 pass\n10.300.0.0/16 drop\n" % t.gate)
        f.flush()
        p = xg("apply", f.name)
        assert p.returncode == 1 and "line 4" in p.stderr, p.stderr
    for bad in ("1.2.3.4/33 drop", "::/129 drop", "10.0.0.1/8 drop", "10.0.0.0/8 limit 0pps",
                "10.0.0.0/8 redirect xgenosuchdev", "10.1.0.0/16 drop\n10.1.0.0/16 pass"):
        with tempfile.NamedTemporaryFile("w") as f:
            f.write("interface %s\n%s\n" % (t.gate, bad))
            f.flush()
            p = xg("apply", f.name)
            assert p.returncode == 1 and "line " in p.stderr, (bad, p.stderr)
    with tempfile.NamedTemporaryFile("w") as f:
        f.write("interface xgenosuchif0\n10.0.0.0/8 drop\n")
        f.flush()
        p = xg("apply", f.name)
        assert p.returncode == 1 and "line 1" in p.stderr and "no such interface" in p.stderr
    assert rules(t.gate) == before, "a refused file changed something"

    good = "interface %s\ndefault drop\n10.0.0.0/8 pass\n2001:db8::/32 limit 10kpps burst 100\n" % t.gate
    with tempfile.NamedTemporaryFile("w") as f:
        f.write(good)
        f.flush()
        p = xg_ok("apply", f.name, "--dry-run")
        assert "+ 10.0.0.0/8 pass" in p.stdout and "- 10.5.0.0/16 drop" in p.stdout, p.stdout
        assert "default pass -> drop" in p.stdout
        assert rules(t.gate) == before, "--dry-run changed something"
        xg_ok("apply", f.name)
        after = rules(t.gate)
        assert [r["rule"] for r in after["rules"]] == \
            ["10.0.0.0/8 pass", "2001:db8::/32 limit 10kpps burst 100"]
        assert after["default"] == "drop"
        p = xg_ok("apply", f.name)
        assert "unchanged" in p.stdout
        assert rules(t.gate)["generation"] == after["generation"]
        assert [r["id"] for r in rules(t.gate)["rules"]] == [r["id"] for r in after["rules"]]


def test_rules_and_hits_survive_restart_and_replace(attached):
    t = attached
    xg_ok("rules", "add", "10.8.0.0/16", "drop", "--iface", t.gate)
    t.send(traffic.flows({"10.8.0.1": [70] * 4}))
    wait_stats(t.gate, 4)
    # Every command is a new loader process; the rules live in the pins.
    assert rule(t.gate, "10.8.0.0/16 drop")["packets"] == 4
    xg_ok("attach", t.gate, "--replace")
    assert rule(t.gate, "10.8.0.0/16 drop")["packets"] == 4
    t.send(traffic.flows({"10.8.0.1": [70] * 2}))
    ifc = wait_stats(t.gate, 6)
    assert ifc["actions"]["drop"]["packets"] == 6
    assert rule(t.gate, "10.8.0.0/16 drop")["packets"] == 6
    st = [i for i in xg_json("status", t.gate)["instances"] if i["ifname"] == t.gate][0]
    assert st["rules"] == 1 and st["generation"] == rules(t.gate)["generation"]
    assert os.path.isdir(t.policy_dir)
    xg_ok("detach", t.gate)
    assert not os.path.exists(t.policy_dir)


def test_rules_cli_errors(attached):
    t = attached
    for args, code in ((("rules", "add", "10.300.0.0/16", "drop", "--iface", t.gate), 2),
                       (("rules", "add", "1.2.3.4/33", "drop", "--iface", t.gate), 2),
                       (("rules", "add", "::/129", "drop", "--iface", t.gate), 2),
                       (("rules", "add", "10.0.0.1/8", "drop", "--iface", t.gate), 2),
                       (("rules", "add", "10.0.0.0/8", "limit", "0pps", "--iface", t.gate), 2),
                       (("rules", "add", "10.0.0.0/8", "redirect", "xgenodev", "--iface", t.gate), 1),
                       (("rules", "del", "10.0.0.0/8", "--iface", t.gate), 1),
                       (("rules", "add", "10.0.0.0/8", "drop", "--iface", "xgenosuchif0"), 1)):
        p = xg(*args)
        assert p.returncode == code and "error" in p.stderr, (args, p.returncode, p.stderr)
    assert rules(t.gate)["rules"] == []
