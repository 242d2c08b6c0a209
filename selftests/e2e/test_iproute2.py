"""The object works without the loader: iproute2 attaches it, xdpgate reads it."""
import os
import subprocess

import pytest

import traffic
import xgcli
from xgcli import instance, link_xdp, wait_stats, xg_ok

PLAN = {"192.0.2.60": [64, 65, 66], "192.0.2.61": [200],
        "2001:db8::60": [100, 100], "2001:db8::61": [333]}


@pytest.mark.parametrize("keyword,mode", [("xdp", "native"), ("xdpgeneric", "skb")])
def test_iproute2_attach(iproute2_pins, topo, keyword, mode):
    p = subprocess.run(["ip", "link", "set", "dev", topo.gate, keyword, "obj",
                        xgcli.XDP_OBJ, "sec", "xdp"], capture_output=True, text=True)
    assert p.returncode == 0, "ip link set %s obj: %s" % (keyword, p.stderr)
    lmode, lid = link_xdp(topo.gate)
    assert lmode == keyword
    for m in xgcli.MAP_NAMES:
        assert os.path.exists(os.path.join(iproute2_pins, m)), \
            "iproute2 did not pin %s in %s" % (m, iproute2_pins)

    inst = instance(topo.gate)
    assert inst is not None, "status does not list the iproute2-attached program"
    assert (inst["mode"], inst["prog_id"], inst["attached_prog_id"]) == (mode, lid, lid)
    assert inst["pin_path"] == iproute2_pins
    assert not os.path.exists(topo.pin_dir), "status created %s" % topo.pin_dir

    pkts = traffic.flows(PLAN)
    topo.send(pkts)
    ifc = wait_stats(topo.gate, len(pkts))
    assert (ifc["mode"], ifc["prog_id"]) == (mode, lid)
    assert traffic.reported(ifc) == traffic.per_source(PLAN)
    assert ifc["actions"]["pass"] == dict(zip(("packets", "bytes"), traffic.total(pkts)))
    assert ifc["sources_total"] == len(PLAN)

    # xdpgate detaches what iproute2 attached, and takes the pins with it.
    xg_ok("detach", topo.gate)
    assert link_xdp(topo.gate) == (None, None)
    assert instance(topo.gate) is None
    left = [m for m in xgcli.MAP_NAMES if os.path.exists(os.path.join(iproute2_pins, m))]
    assert not left, "detach left %s in %s" % (left, iproute2_pins)


def test_iproute2_full_object_on_two_interfaces(iproute2_pins, make_topo):
    """iproute2 loads the whole object a second time (on another interface)
    and shares every map pinned by name; the devmap of the rules is each
    program's own (the kernel changes a devmap's flags, and libbpf 1.1
    refuses to reuse one pinned with flags other than declared)."""
    a, b = make_topo(), make_topo()
    for t in (a, b):
        p = subprocess.run(["ip", "link", "set", "dev", t.gate, "xdp", "obj",
                            xgcli.XDP_OBJ, "sec", "xdp"], capture_output=True, text=True)
        assert p.returncode == 0, "ip link set %s xdp obj: %s" % (t.gate, p.stderr)
    ids = {t.gate: link_xdp(t.gate)[1] for t in (a, b)}
    assert len(set(ids.values())) == 2
    assert not os.path.exists(os.path.join(iproute2_pins, "xg_pol_tx"))
    a.send(traffic.flows({"192.0.2.60": [64]}))
    b.send(traffic.flows({"192.0.2.61": [64, 64]}))
    for t in (a, b):
        inst = instance(t.gate)
        assert (inst["prog_id"], inst["pin_path"]) == (ids[t.gate], iproute2_pins)
    # One set of maps: each interface's stats show both sources.
    ifc = wait_stats(a.gate, 3)
    assert traffic.reported(ifc) == traffic.per_source({"192.0.2.60": [64],
                                                        "192.0.2.61": [64, 64]})
    xg_ok("detach", a.gate)
    xg_ok("detach", b.gate)
    assert not [m for m in xgcli.MAP_NAMES if os.path.exists(os.path.join(iproute2_pins, m))]
