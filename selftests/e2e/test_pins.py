"""Pinned state bound to its interface instance: the ns<cookie>/if<ifindex>
layout and its owner record, renamed and re-created interfaces, orphans and
--adopt, other network namespaces, recognising xdpgate by its maps, and
iproute2's shared pins. Each test here fails on the layout keyed by
interface name that came before.
"""
import json
import os
import subprocess

import pytest

import traffic
import xgcli
import xgnet
from xgcli import instance, link_xdp, stats, wait_stats, xg, xg_ok

SMALL = ("--max-sources", "64")  # quick to allocate
PLAN_A = {"192.0.2.80": [64, 65, 66, 67, 68], "2001:db8::80": [90, 91]}
PLAN_B = {"192.0.2.80": [70], "192.0.2.81": [72, 73]}


def orphans(*names):
    return {o["pin_path"]: o for o in xgcli.status(*names)["orphans"]}


def elsewhere(*names):
    return {o["pin_path"]: o for o in xgcli.status(*names)["elsewhere"]}


def empty_stats(ifc):
    assert ifc["sources"] == [] and ifc["sources_total"] == 0, ifc["sources"]
    for a in xgcli.ACTIONS:
        assert ifc["actions"][a]["packets"] == 0, ifc["actions"]


@pytest.mark.parametrize("via", ["link", "netlink"])
def test_layout_and_owner_record(topo, via):
    xg_ok("attach", topo.gate, "--via", via, *SMALL)
    inst = instance(topo.gate)
    want = os.path.join(xgnet.PIN_ROOT, "ns%d" % topo.cookie,
                        "if%d" % topo.ifindex, "xdp")
    assert inst["pin_path"] == topo.pin_dir == want
    assert sorted(os.listdir(want)) == sorted(
        list(xgcli.MAP_NAMES) + ["xg_owner"] + (["link"] if via == "link" else []))
    o = inst["owner"]
    assert (o["state"], o["ifname"], o["ifindex"], o["netns"], o["hook"]) == \
        ("attached", topo.gate, topo.ifindex, "ns%d" % topo.cookie, "xdp"), o
    assert o["prog_id"] == inst["prog_id"] == link_xdp(topo.gate)[1]
    assert (o["link_id"] > 0) == (via == "link"), o
    assert xgnet.owner_ifname(want) == topo.gate  # read without xdpgate
    assert xgcli.status(topo.gate)["orphans"] == []

    xg_ok("attach", topo.gate, "--replace")
    again = instance(topo.gate)
    assert again["prog_id"] != inst["prog_id"]
    assert again["owner"]["prog_id"] == again["prog_id"], "replace kept the old prog id"
    assert again["owner"]["created"] == o["created"]

    xg_ok("detach", topo.gate)
    assert not os.path.exists(want)
    assert not os.path.exists(os.path.dirname(want)), "empty if<N> directory left"


def send_from(netns, ifname, pkts):
    from scapy.all import conf, sendp
    sock = xgnet.open_l2socket_in_netns(netns, ifname, conf)
    try:
        sendp(pkts, socket=sock, verbose=False)
    finally:
        sock.close()


def test_rename_keeps_counters_apart(topo):
    """attach A, rename A to B, make a new A, attach A: two instances with
    their own maps; detach B leaves A's alone.
    """
    a = topo.gate
    b = a[:8] + "u" + a[9:]
    xg_ok("attach", a, "--via", "netlink", *SMALL)
    first = traffic.flows(PLAN_A)
    topo.send(first)
    wait_stats(a, len(first))
    old_dir = topo.pin_dir
    for cmd in (("down",), ("name", b), ("up",)):
        xgnet.run("ip", "link", "set", "dev", a if cmd != ("up",) else b, *cmd)
    try:
        peer2 = topo.sender[:8] + "u" + topo.sender[9:]
        xgnet.run("ip", "link", "add", a, "type", "veth", "peer", "name", peer2,
                  "netns", topo.netns)
        xgnet.run("ip", "link", "set", "dev", a, "up")
        xgnet.run("ip", "-n", topo.netns, "link", "set", "dev", peer2, "up")
        idx = int(open("/sys/class/net/%s/ifindex" % a).read())
        topo.if_dirs.append(xgnet.if_dir(topo.cookie, idx))

        p = xg_ok("attach", a, "--via", "netlink", *SMALL)
        new_dir = xgnet.inst_dir(topo.cookie, idx)
        assert new_dir in p.stdout and new_dir != old_dir, p.stdout
        assert instance(b)["pin_path"] == old_dir
        assert instance(a)["pin_path"] == new_dir
        empty_stats(stats(a))
        second = traffic.flows(PLAN_B)
        send_from(topo.netns, peer2, second)
        assert traffic.reported(wait_stats(a, len(second))) == traffic.per_source(PLAN_B)
        assert traffic.reported(stats(b)) == traffic.per_source(PLAN_A), \
            "packets to the new interface showed up under the renamed one"

        xg_ok("detach", b)
        assert not os.path.exists(old_dir)
        assert instance(a)["pin_path"] == new_dir
        assert traffic.reported(stats(a)) == traffic.per_source(PLAN_B)
        xg_ok("detach", a)
        assert not os.path.exists(new_dir)
    finally:
        xgnet.run("ip", "link", "del", "dev", a, check=False)
        xgnet.run("ip", "link", "del", "dev", b, check=False)


def count_then_recreate(topo, via):
    """Attach, count PLAN_A, delete and re-create the interface; returns
    the old instance directory.
    """
    xg_ok("attach", topo.gate, "--via", via, *SMALL)
    pkts = traffic.flows(PLAN_A)
    topo.send(pkts)
    wait_stats(topo.gate, len(pkts))
    old_dir = topo.pin_dir
    topo.recreate_gate()
    return old_dir


def policy_of(hook_dir):
    return os.path.join(os.path.dirname(hook_dir), "policy")


@pytest.mark.parametrize("via", ["link", "netlink"])
def test_delete_recreate_starts_from_zero(topo, via):
    old_dir = count_then_recreate(topo, via)

    left = orphans(topo.gate)
    assert sorted(left) == sorted([old_dir, policy_of(old_dir)]), left
    assert left[old_dir]["reason"] == "interface_gone"
    assert left[policy_of(old_dir)]["reason"] == "rules_unused"
    assert left[old_dir]["ifname"] == topo.gate
    assert instance(topo.gate) is None

    xg_ok("attach", topo.gate, "--via", via, *SMALL)
    assert topo.pin_dir != old_dir
    empty_stats(stats(topo.gate))  # before any traffic: nothing inherited
    more = traffic.flows(PLAN_B)
    topo.send(more)
    assert traffic.reported(wait_stats(topo.gate, len(more))) == traffic.per_source(PLAN_B)
    assert sorted(orphans(topo.gate)) == sorted([old_dir, policy_of(old_dir)]), \
        "the orphan is still listed"

    p = xg_ok("detach", "--orphans", topo.gate)
    assert old_dir in p.stdout
    assert not os.path.exists(old_dir)
    assert not os.path.exists(os.path.dirname(old_dir))
    assert orphans(topo.gate) == {}
    assert traffic.reported(stats(topo.gate)) == traffic.per_source(PLAN_B)


@pytest.mark.parametrize("via", ["link", "netlink"])
def test_adopt_takes_counters_over(topo, via):
    old_dir = count_then_recreate(topo, via)
    first = traffic.flows(PLAN_A)

    p = xg_ok("attach", topo.gate, "--via", via, "--adopt")
    assert "adopted" in p.stdout, p.stdout
    assert not os.path.exists(old_dir)
    inst = instance(topo.gate)
    assert inst["pin_path"] == topo.pin_dir != old_dir
    assert inst["owner"]["ifindex"] == topo.ifindex
    assert inst["owner"]["state"] == "attached"
    assert xgcli.status(topo.gate)["orphans"] == []
    ifc = stats(topo.gate)
    assert traffic.reported(ifc) == traffic.per_source(PLAN_A)
    assert ifc["actions"]["pass"]["packets"] == len(first)
    second = traffic.flows(PLAN_B)
    topo.send(second)
    ifc = wait_stats(topo.gate, len(first) + len(second))
    assert traffic.reported(ifc) == traffic.add(traffic.per_source(PLAN_A),
                                                traffic.per_source(PLAN_B))
    xg_ok("detach", topo.gate)


def test_adopt_killed_midway_keeps_counters(topo):
    """An --adopt killed right after moving the orphan into place leaves an
    orphan with the counts at the new path; --adopt again takes it over.
    """
    old_dir = count_then_recreate(topo, "netlink")
    p = xgcli.xg("attach", topo.gate, "--adopt", prefix=("env", "XDPGATE_FAULT=adopt-moved"))
    assert p.returncode == -9
    assert not os.path.exists(old_dir)
    left = orphans(topo.gate)
    assert sorted(left) == sorted([topo.pin_dir, topo.policy_dir]), left
    p = xg("attach", topo.gate, *SMALL)
    assert p.returncode == 1 and "--adopt" in p.stderr, p.stderr
    xg_ok("attach", topo.gate, "--adopt")
    assert traffic.reported(stats(topo.gate)) == traffic.per_source(PLAN_A)
    assert orphans(topo.gate) == {}


def test_failed_adopt_puts_the_orphan_back(topo):
    old_dir = count_then_recreate(topo, "link")
    before = orphans(topo.gate)
    p = xg("attach", topo.gate, "--adopt", "--max-sources", "128")
    assert p.returncode == 1 and "cannot be resized" in p.stderr, p.stderr
    assert orphans(topo.gate) == before, "a failed adopt moved or changed the orphan"
    assert link_xdp(topo.gate) == (None, None)
    assert not os.path.exists(topo.pin_dir)
    xg_ok("attach", topo.gate, "--adopt")
    assert traffic.reported(stats(topo.gate)) == traffic.per_source(PLAN_A)
    assert not os.path.exists(old_dir)


def test_adopt_without_orphan_refused(topo):
    p = xg("attach", topo.gate, "--adopt", *SMALL)
    assert p.returncode == 1 and "adopt" in p.stderr and topo.gate in p.stderr, p.stderr
    assert link_xdp(topo.gate) == (None, None)
    assert not os.path.exists(topo.pin_dir)
    p = xg("attach", topo.gate, "--adopt=/sys/fs/bpf/xdpgate/nosuch", *SMALL)
    assert p.returncode == 1 and "nosuch" in p.stderr, p.stderr
    assert not os.path.exists(topo.pin_dir)


def test_orphan_with_counts_at_target_refused_then_adopted(topo):
    """Another tool takes the program off (the interface stays): the pins
    hold counts their owner no longer makes. A plain attach refuses rather
    than reuse or drop them; --adopt carries them on.
    """
    xg_ok("attach", topo.gate, "--via", "netlink", *SMALL)
    pkts = traffic.flows(PLAN_A)
    topo.send(pkts)
    wait_stats(topo.gate, len(pkts))
    xgnet.run("ip", "link", "set", "dev", topo.gate, "xdp", "off")
    left = orphans(topo.gate)
    assert sorted(left) == sorted([topo.pin_dir, topo.policy_dir]), left
    assert left[topo.pin_dir]["reason"] == "owner_not_running", left

    p = xg("attach", topo.gate, *SMALL)
    assert p.returncode == 1, p.stdout
    assert "--adopt" in p.stderr and "detach --orphans" in p.stderr, p.stderr
    assert link_xdp(topo.gate) == (None, None)
    assert sorted(orphans(topo.gate)) == sorted(left)

    xg_ok("attach", topo.gate, "--adopt")
    assert traffic.reported(stats(topo.gate)) == traffic.per_source(PLAN_A)
    assert orphans(topo.gate) == {}


@pytest.mark.parametrize("point", ["dir-made", "owner-loading", "loaded"])
def test_killed_attach_leaves_listed_orphan(topo, point):
    """An attach killed before it attached leaves an orphan without counts:
    listed, removable, and the next attach clears it by itself.
    """
    p = xgcli.xg("attach", topo.gate, *SMALL, prefix=("env", "XDPGATE_FAULT=" + point))
    assert p.returncode == -9, (p.returncode, p.stderr)
    assert link_xdp(topo.gate) == (None, None)
    left = orphans(topo.gate)
    assert topo.pin_dir in left, left
    assert set(left) <= {topo.pin_dir, topo.policy_dir}, left
    assert left[topo.pin_dir]["reason"] in ("no_owner_record", "attach_unfinished")
    p = xg_ok("attach", topo.gate, *SMALL)
    assert "leftover" in p.stderr, p.stderr
    assert orphans(topo.gate) == {}
    assert instance(topo.gate)["owner"]["state"] == "attached"


@pytest.mark.parametrize("via", ["link", "netlink"])
def test_killed_after_attach_is_a_working_instance(topo, via):
    p = xgcli.xg("attach", topo.gate, "--via", via, *SMALL,
                 prefix=("env", "XDPGATE_FAULT=attached"))
    assert p.returncode == -9
    inst = instance(topo.gate)
    assert inst is not None and inst["pin_path"] == topo.pin_dir
    assert inst["owner"]["state"] == "loading"
    assert xgcli.status(topo.gate)["orphans"] == []
    pkts = traffic.flows(PLAN_A)
    topo.send(pkts)
    assert traffic.reported(wait_stats(topo.gate, len(pkts))) == traffic.per_source(PLAN_A)
    xg_ok("attach", topo.gate, "--replace")  # writes the record it lacked
    assert instance(topo.gate)["owner"]["state"] == "attached"
    assert traffic.reported(stats(topo.gate)) == traffic.per_source(PLAN_A)
    xg_ok("detach", topo.gate)
    assert not os.path.exists(topo.pin_dir)


def test_other_netns_pins_never_removed(make_netns_iface, topo):
    n = make_netns_iface()
    assert n.xg("attach", n.ifname, *SMALL).returncode == 0
    # From the root namespace: in use elsewhere, never an orphan.
    there = elsewhere(n.ifname)
    assert sorted(there) == sorted([n.pin_dir, policy_of(n.pin_dir)]), there
    assert there[n.pin_dir]["netns"] == "ns%d" % n.cookie
    assert orphans(n.ifname) == {}
    p = xg_ok("detach", "--orphans", n.ifname)
    assert "no orphaned pins" in p.stdout
    assert os.path.isdir(n.pin_dir) and n.xdp() is not None
    # Its interface gone, nothing uses the maps: an orphan anyone may remove.
    xgnet.run("ip", "-n", n.netns, "link", "del", n.ifname)
    left = orphans(n.ifname)
    assert sorted(left) == sorted([n.pin_dir, policy_of(n.pin_dir)]), left
    assert left[n.pin_dir]["reason"] == "owner_not_running", left
    xg_ok("detach", "--orphans", n.ifname)
    assert not os.path.exists(os.path.dirname(n.pin_dir))


def test_impostor_named_like_xdpgate_left_alone(topo):
    """A program called xdpgate_xdp without xdpgate's maps is foreign."""
    xgnet.run("ip", "link", "set", "dev", topo.gate, "xdp", "obj",
              xgcli.IMPOSTOR_OBJ, "sec", "xdp")
    before = link_xdp(topo.gate)
    assert before[0] == "xdp"
    assert instance(topo.gate) is None
    p = xg("detach", topo.gate)
    assert p.returncode == 1 and "not xdpgate" in p.stderr, p.stderr
    assert link_xdp(topo.gate) == before, "detach removed a foreign program"
    p = xg("attach", topo.gate, *SMALL)
    assert p.returncode == 1 and "another XDP program" in p.stderr, p.stderr
    assert link_xdp(topo.gate) == before


def test_renamed_program_recognised_by_maps(iproute2_pins, topo):
    xgnet.run("ip", "link", "set", "dev", topo.gate, "xdp", "obj",
              xgcli.RENAMED_OBJ, "sec", "xdp")
    _, lid = link_xdp(topo.gate)
    inst = instance(topo.gate)
    assert inst is not None, "a program using xdpgate's maps is xdpgate"
    assert (inst["prog_id"], inst["pin_path"]) == (lid, iproute2_pins)
    pkts = traffic.flows(PLAN_A)
    topo.send(pkts)
    assert traffic.reported(wait_stats(topo.gate, len(pkts))) == traffic.per_source(PLAN_A)
    xg_ok("detach", topo.gate)
    assert link_xdp(topo.gate) == (None, None)
    assert not [m for m in xgcli.MAP_NAMES if os.path.exists(os.path.join(iproute2_pins, m))]


def test_iproute2_pins_kept_while_another_netns_uses_them(iproute2_pins, topo,
                                                          make_netns_iface):
    n = make_netns_iface()
    xgnet.run("nsenter", "--net=/run/netns/" + n.netns, "ip", "link", "set", "dev",
              n.ifname, "xdp", "obj", xgcli.XDP_OBJ, "sec", "xdp")
    # The full object a second time: its devmap is not pinned by name, so
    # iproute2's libbpf 1.1 shares every other map (it could not reuse a
    # pinned devmap, whose flags the kernel changes).
    xgnet.run("ip", "link", "set", "dev", topo.gate, "xdp", "obj", xgcli.XDP_OBJ,
              "sec", "xdp")
    assert instance(topo.gate)["pin_path"] == iproute2_pins
    pins = [os.path.join(iproute2_pins, m) for m in xgcli.MAP_NAMES]
    assert all(os.path.exists(p) for p in pins)

    p = xg_ok("detach", topo.gate)
    assert "kept" in p.stdout, p.stdout
    assert link_xdp(topo.gate) == (None, None)
    assert all(os.path.exists(p) for p in pins), "pins removed while in use"
    assert n.xdp() is not None
    # The other namespace's instance still counts into them.
    send_from(n.netns, n.peer, traffic.flows(PLAN_B))
    p = n.xg("stats", n.ifname, "--json")
    assert p.returncode == 0, p.stderr
    ifc = json.loads(p.stdout)["interfaces"][0]
    assert ifc["actions"]["pass"]["packets"] >= len(traffic.flows(PLAN_B))

    assert n.xg("detach", n.ifname).returncode == 0
    assert not [p for p in pins if os.path.exists(p)], "last user gone: pins stay"
