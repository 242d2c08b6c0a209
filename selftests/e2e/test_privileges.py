"""uid 0 without capabilities: every command exits 1 naming the missing
capability, and nothing changes (link and netlink instances stay attached,
their pins and counters intact). Before, status said "nothing attached"
and detach removed a link pin, taking the program off.
"""
import os

import pytest

import traffic
import xgcli
from xgcli import instance, link_xdp, stats, wait_stats, xg, xg_ok

NO_CAPS = ("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all")
# Enough to load and attach, but not to find programs by id.
BPF_NET_ONLY = ("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
                "--bounding-set=-all,+bpf,+net_admin,+perfmon")


def snapshot(t):
    return (link_xdp(t.gate), sorted(os.listdir(t.pin_dir)),
            xgcli.status(t.gate), stats(t.gate))


@pytest.mark.parametrize("via", ["link", "netlink"])
@pytest.mark.parametrize("prefix,missing", [(NO_CAPS, "CAP_SYS_ADMIN"),
                                            (BPF_NET_ONLY, "CAP_SYS_ADMIN")],
                         ids=["no-caps", "bpf+net_admin"])
def test_commands_without_capabilities_change_nothing(topo, via, prefix, missing):
    xg_ok("attach", topo.gate, "--via", via, "--max-sources", "64")
    pkts = traffic.flows({"192.0.2.90": [64, 65], "2001:db8::90": [80]})
    topo.send(pkts)
    wait_stats(topo.gate, len(pkts))
    before = snapshot(topo)
    for args in (("status",), ("status", topo.gate), ("stats",), ("stats", topo.gate),
                 ("detach", topo.gate), ("detach", "--orphans"),
                 ("attach", topo.gate, "--replace"), ("attach", topo.gate)):
        p = xg(*args, prefix=prefix)
        assert p.returncode == 1, "xdpgate %s exited %d: %s%s" % (
            " ".join(args), p.returncode, p.stdout, p.stderr)
        assert missing in p.stderr, p.stderr
        assert p.stdout == "", "printed a result without the rights to know it"
        assert snapshot(topo) == before, "xdpgate %s changed state" % " ".join(args)


def test_attach_without_net_admin(topo):
    prefix = ("setpriv", "--inh-caps=-all", "--ambient-caps=-all",
              "--bounding-set=-all,+sys_admin,+bpf")
    p = xg("attach", topo.gate, "--max-sources", "64", prefix=prefix)
    assert p.returncode == 1 and "CAP_NET_ADMIN" in p.stderr, p.stderr
    assert "CAP_SYS_ADMIN" not in p.stderr, p.stderr
    assert link_xdp(topo.gate) == (None, None)
    assert not os.path.exists(topo.pin_dir)
    assert instance(topo.gate) is None
