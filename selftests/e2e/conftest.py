"""Fixtures of the end-to-end suite: root check, leftover sweeper, one fresh
veth topology per test, and the iproute2 pin directory lock.

Everything a test creates is removed by its fixture's finalizer, pass or
fail; the session sweeper catches what a killed run left behind.
"""
import fcntl
import glob
import json
import os
import subprocess

import pytest

import xgcli
import xgnet


@pytest.fixture(scope="session", autouse=True)
def environment():
    if os.geteuid() != 0:
        pytest.exit("the end-to-end tests attach XDP programs: run them as root",
                    returncode=1)
    for path in (xgcli.XDPGATE, xgcli.XDP_OBJ, xgcli.FOREIGN_OBJ,
                 xgcli.IMPOSTOR_OBJ, xgcli.RENAMED_OBJ, xgcli.MINI_OBJ,
                 xgcli.TC_OBJ, xgcli.FOREIGN_TC_OBJ):
        if not os.path.exists(path):
            pytest.exit("%s is missing: run 'make test' (or make %s)" % (
                path, os.path.relpath(path, xgcli.REPO)), returncode=1)
    xgnet.sweep(include_own=False)
    yield
    left = xgnet.sweep(include_own=True)
    assert not left, "fixtures left these behind: %s" % left


@pytest.fixture
def topo():
    """A fresh gate/sender veth pair; gate in the root namespace."""
    t = xgnet.Topology()
    try:
        t.setup()
        yield t
    finally:
        t.teardown()


@pytest.fixture
def make_topo():
    """Factory for tests that need more than one topology."""
    made = []

    def make():
        t = xgnet.Topology()
        made.append(t)
        return t.setup()
    try:
        yield make
    finally:
        errors = []
        for t in made:
            try:
                t.teardown()
            except RuntimeError as e:
                errors.append(str(e))
        assert not errors, errors


@pytest.fixture
def attached(topo):
    """topo with xdpgate attached in native mode."""
    xgcli.xg_ok("attach", topo.gate, "--mode", "native")
    return topo


@pytest.fixture(scope="session")
def foreign_obj():
    """A trivial XDP program that is not xdpgate and pins nothing, built by
    make with the project's BPF flags (selftests/progs/foreign_xdp.bpf.c).
    """
    return xgcli.FOREIGN_OBJ


def _xg_pins(pin_dir=xgnet.IPROUTE2_PIN_DIR):
    return sorted(glob.glob(os.path.join(pin_dir, "xg_*")))


def _maps_in_use(pins):
    """Pinned maps some loaded program still references."""
    used = set()
    progs = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                           text=True, check=True).stdout
    for p in json.loads(progs):
        used.update(p.get("map_ids", []))
    busy = []
    for pin in pins:
        out = subprocess.run(["bpftool", "-j", "map", "show", "pinned", pin],
                             capture_output=True, text=True)
        if out.returncode == 0 and json.loads(out.stdout).get("id") in used:
            busy.append(pin)
    return busy


def _iproute2_pin_dir(pin_dir, lock_file):
    """iproute2 pins xdpgate's maps by name in one global directory, so two
    runs would share counters. Serialise on a lock, start from no xg_* pins
    (stale ones from a killed run are removed; live ones fail the test, since
    exact counts cannot be promised then) and remove them afterwards.
    """
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        busy = _maps_in_use(_xg_pins(pin_dir))
        if busy:
            pytest.fail("xg_* maps pinned by iproute2 are in use by another "
                        "program: %s" % busy)
        for pin in _xg_pins(pin_dir):
            os.unlink(pin)
        try:
            yield pin_dir
        finally:
            for pin in _xg_pins(pin_dir):
                os.unlink(pin)


@pytest.fixture
def iproute2_pins():
    """ip's pin directory (ip link set ... xdp obj), serialised."""
    yield from _iproute2_pin_dir(xgnet.IPROUTE2_PIN_DIR,
                                 "/run/xdpgate-e2e-iproute2.lock")


@pytest.fixture
def iproute2_tc_pins():
    """tc's pin directory (tc filter add ... bpf obj), serialised."""
    yield from _iproute2_pin_dir(xgcli.IPROUTE2_TC_PIN_DIR,
                                 "/run/xdpgate-e2e-iproute2-tc.lock")


@pytest.fixture
def host():
    """A test-made host namespace for containers (tcnet.Host)."""
    import tcnet
    h = tcnet.Host()
    try:
        yield h.setup()
    finally:
        h.teardown()


class NetnsIface:
    """A veth pair living wholly inside its own network namespace; xdpgate
    reaches it with nsenter --net (the root mount namespace, so pins land
    on the shared bpffs).
    """

    def __init__(self):
        self.ifname, self.peer, self.netns = xgnet.new_names()

    def setup(self):
        xgnet.run("ip", "netns", "add", self.netns)
        xgnet.run("ip", "-n", self.netns, "link", "add", self.ifname, "type",
                  "veth", "peer", "name", self.peer)
        for dev in (self.ifname, self.peer):
            xgnet.run("ip", "-n", self.netns, "link", "set", "dev", dev, "up")
        self.ifindex = json.loads(xgnet.run(
            "ip", "-n", self.netns, "-j", "link", "show", self.ifname).stdout)[0]["ifindex"]
        self.cookie = xgnet.netns_cookie_of(self.netns)
        self.pin_dir = xgnet.inst_dir(self.cookie, self.ifindex)
        return self

    def xg(self, *args):
        return xgcli.xg(*args, prefix=("nsenter", "--net=/run/netns/" + self.netns))

    def xdp(self):
        """The XDP program id on the interface, or None."""
        link = json.loads(xgnet.run("ip", "-n", self.netns, "-d", "-j", "link",
                                    "show", self.ifname).stdout)[0]
        return (link.get("xdp") or {}).get("prog", {}).get("id")

    def teardown(self):
        if hasattr(self, "cookie"):
            xgnet.remove_if_dir(xgnet.if_dir(self.cookie, self.ifindex))
        xgnet.run("ip", "netns", "del", self.netns, check=False)


@pytest.fixture
def make_netns_iface():
    made = []

    def make():
        n = NetnsIface()
        made.append(n)
        return n.setup()
    try:
        yield make
    finally:
        for n in made:
            n.teardown()
