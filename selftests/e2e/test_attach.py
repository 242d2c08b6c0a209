"""attach / status / detach / --replace against what the kernel reports."""
import os
import re
import stat
import subprocess

import pytest

import traffic
import xgcli
from xgcli import instance, link_xdp, link_text, stats, wait_stats, xg, xg_ok

LINK_MODE = {"native": "xdp", "skb": "xdpgeneric"}
# status names the attachment kinds that --via selects; it spells a bpf_link
# attach "bpf_link" (--via link).
VIA_STATUS = {"link": ("link", "bpf_link"), "netlink": ("netlink",),
              "libxdp": ("libxdp",)}
PLAN_A = {"192.0.2.1": [100, 120, 140], "2001:db8::1": [200, 90]}
PLAN_B = {"192.0.2.1": [300], "192.0.2.2": [64, 64], "2001:db8::1": [150]}


def check_instance(t, mode, via=None, max_sources=131072):
    """status --json agrees with the kernel about t.gate; returns the entry."""
    inst = instance(t.gate)
    assert inst is not None, "status --json does not list %s" % t.gate
    lmode, lid = link_xdp(t.gate)
    assert lmode == LINK_MODE[mode], "ip link shows %s, wanted %s" % (lmode, mode)
    text = link_text(t.gate)
    assert " %s " % LINK_MODE[mode] in text.splitlines()[0], text
    assert re.search(r"\bprog/xdp id %d name %s\b" % (lid, xgcli.PROG_NAME), text), text
    assert (inst["ifindex"], inst["hook"], inst["mode"]) == (t.ifindex, "xdp", mode)
    if via:
        assert inst["via"] in VIA_STATUS[via], (via, inst["via"])
    assert inst["via"] in sum(VIA_STATUS.values(), ())
    assert inst["attached_prog_id"] == lid
    if inst["via"] != "libxdp":  # no dispatcher: the program is attached itself
        assert inst["prog_id"] == lid
    assert inst["pin_path"] == t.pin_dir
    assert sorted(inst["maps"]) == sorted(xgcli.MAP_NAMES + xgcli.POLICY_MAPS)
    assert inst["maps"]["xg_src_v4"]["max_entries"] == max_sources
    assert inst["maps"]["xg_src_v6"]["max_entries"] == max_sources
    assert inst["maps"]["xg_actions"]["max_entries"] == len(xgcli.ACTIONS)
    assert inst["maps"]["xg_reasons"]["max_entries"] == len(xgcli.REASONS) + 1
    for m in xgcli.HOT_MAPS:  # XG_HOT_SLOTS, whatever --max-sources says
        assert inst["maps"][m]["max_entries"] == 1024, (m, inst["maps"][m])
    return inst


def check_pins(t):
    """Every map is pinned in the interface's directory, readable by root only."""
    names = sorted(os.listdir(t.pin_dir))
    for m in xgcli.MAP_NAMES:
        assert m in names, "%s not pinned in %s (has %s)" % (m, t.pin_dir, names)
    for n in names:
        st = os.stat(os.path.join(t.pin_dir, n))
        assert st.st_uid == 0 and not st.st_mode & (stat.S_IRWXG | stat.S_IRWXO), \
            "pin %s/%s has mode %o" % (t.pin_dir, n, st.st_mode & 0o777)


def check_clean(t):
    """No XDP program, no pins, not in status."""
    assert link_xdp(t.gate) == (None, None), link_text(t.gate)
    assert "prog/xdp" not in link_text(t.gate)
    assert not os.path.exists(t.pin_dir), "pin dir %s left behind" % t.pin_dir
    assert instance(t.gate) is None, "status still lists %s" % t.gate


@pytest.mark.parametrize("mode,expect", [("native", "native"), ("skb", "skb"),
                                         ("auto", "native")])
def test_attach_mode(topo, mode, expect):
    p = xg_ok("attach", topo.gate, "--mode", mode)
    assert expect in (p.stdout + p.stderr), \
        "attach does not report the mode obtained: %r" % (p.stdout + p.stderr)
    inst = check_instance(topo, expect)
    assert inst["sources"] == {"ipv4": 0, "ipv6": 0}
    assert all(inst["maps"][m]["entries"] == 0
               for m in xgcli.SOURCE_MAPS + xgcli.HOT_MAPS), inst["maps"]
    check_pins(topo)


def test_attach_default_mode_is_native_on_veth(topo):
    xg_ok("attach", topo.gate)
    check_instance(topo, "native")


@pytest.mark.parametrize("via", ["link", "netlink"])
def test_attach_via(topo, via):
    xg_ok("attach", topo.gate, "--mode", "skb", "--via", via)
    check_instance(topo, "skb", via=via)
    xg_ok("detach", topo.gate)
    check_clean(topo)


def test_max_sources(topo):
    xg_ok("attach", topo.gate, "--max-sources", "1000")
    check_instance(topo, "native", max_sources=1000)


@pytest.mark.parametrize("via", ["link", "netlink"])
def test_replace_keeps_counters(topo, via):
    xg_ok("attach", topo.gate, "--via", via)
    old = check_instance(topo, "native", via=via)["prog_id"]
    a = traffic.flows(PLAN_A)
    topo.send(a)
    assert traffic.reported(wait_stats(topo.gate, len(a))) == traffic.per_source(PLAN_A)

    xg_ok("attach", topo.gate, "--via", via, "--replace")
    new = check_instance(topo, "native", via=via)["prog_id"]
    assert new != old, "--replace kept program id %d" % old
    check_pins(topo)
    ifc = stats(topo.gate)
    assert ifc["prog_id"] == new
    assert traffic.reported(ifc) == traffic.per_source(PLAN_A), "replace lost counts"

    b = traffic.flows(PLAN_B)
    topo.send(b)
    ifc = wait_stats(topo.gate, len(a) + len(b))
    assert traffic.reported(ifc) == traffic.add(traffic.per_source(PLAN_A),
                                                traffic.per_source(PLAN_B))
    assert ifc["actions"]["pass"] == dict(zip(("packets", "bytes"),
                                              traffic.total(a + b)))


def test_attach_twice_refused(attached):
    t = attached
    before = check_instance(t, "native")
    a = traffic.flows(PLAN_A)
    t.send(a)
    counts = wait_stats(t.gate, len(a))
    for extra in ([], ["--mode", "skb"]):
        p = xg("attach", t.gate, *extra)
        assert p.returncode == 1, "second attach %s exited %d" % (extra, p.returncode)
        assert t.gate in p.stderr and re.search("already|--replace", p.stderr), \
            p.stderr
    after = check_instance(t, "native")
    assert after["prog_id"] == before["prog_id"]
    assert stats(t.gate) == counts, "refused attach changed the counters"


@pytest.mark.parametrize("mode", ["native", "skb"])
def test_detach_leaves_interface_clean(topo, mode):
    xg_ok("attach", topo.gate, "--mode", mode)
    a = traffic.flows(PLAN_A)
    topo.send(a)
    wait_stats(topo.gate, len(a))
    xg_ok("detach", topo.gate)
    check_clean(topo)
    p = xg("stats", topo.gate)
    assert p.returncode == 1 and topo.gate in p.stderr, p.stderr
    # Attaching again starts from zero: the old maps went with the pins.
    xg_ok("attach", topo.gate, "--mode", mode)
    ifc = stats(topo.gate)
    assert ifc["sources"] == [] and ifc["actions"]["pass"]["packets"] == 0


def test_detach_leaves_other_programs_alone(topo, foreign_obj):
    subprocess.run(["ip", "link", "set", "dev", topo.gate, "xdp", "obj",
                    foreign_obj, "sec", "xdp"], check=True, capture_output=True)
    before = link_xdp(topo.gate)
    assert before[0] == "xdp"
    p = xg("detach", topo.gate)
    assert p.returncode == 1, "detach of a foreign program exited %d" % p.returncode
    assert topo.gate in p.stderr, p.stderr
    assert link_xdp(topo.gate) == before, "detach touched a foreign program"
    assert instance(topo.gate) is None
