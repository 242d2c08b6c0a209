"""Hostile and careless command lines: each exits non-zero with a message
on stderr, and `status --json` of the test's interfaces (one attached,
with counts, one not) is byte-for-byte what it was.
"""
import os

import pytest

import traffic
import xgcli
from xgcli import xg, xg_ok

A, B = "{A}", "{B}"  # the attached and the unattached interface

CASES = [
    # names: empty, overlong, non-ASCII, shell metacharacters, impossible
    (("attach", ""), 2),
    (("attach", "x" * 16), 2),
    (("attach", "xge" + "é" * 7), 2),
    (("attach", "bé-nosuch0"), 1),
    (("attach", "\udcff\udcfe"), 1),
    (("attach", "a;rm -rf x"), 2),
    (("attach", "$(id)"), 1),
    (("attach", "`id`"), 1),
    (("attach", "a|b&c"), 1),
    (("attach", "../x"), 2),
    (("attach", "."), 2),
    (("attach", "a:b"), 2),
    (("detach", ""), 2),
    (("detach", "a b"), 2),
    (("detach", "x" * 40), 2),
    (("status", ""), 2),
    (("stats", "x" * 20), 2),
    (("detach", "--orphans", "a/b"), 2),
    # numbers
    (("attach", B, "--max-sources", "0100"), 2),
    (("attach", B, "--max-sources", "0x20"), 2),
    (("attach", B, "--max-sources", "+64"), 2),
    (("attach", B, "--max-sources", "-1"), 2),
    (("attach", B, "--max-sources", "99999999999999999999"), 2),
    (("attach", B, "--max-sources", ""), 2),
    (("stats", A, "--top", "0"), 2),
    (("stats", A, "--top", "010"), 2),
    # flags and values
    (("attach", B, "--frobnicate"), 2),
    (("attach", B, "-x"), 2),
    (("attach", B, "--mode"), 2),
    (("attach", B, "--mode", "turbo"), 2),
    (("attach", B, "--via", "pigeon"), 2),
    (("attach", B, "--adopt", "--replace"), 2),
    (("attach", B, B), 2),
    (("detach", "--bogus"), 2),
    (("detach", A, B), 2),
    (("status", "--bogus"), 2),
    (("stats", A, "--sort", "sideways"), 2),
    (("frobnicate",), 2),
    ((), 2),
    # files and objects
    (("attach", B, "--obj", "/nonexistent/xdp.o"), 1),
    (("attach", B, "--obj", "/etc/hostname"), 1),
    (("attach", B, "--obj", "/tmp"), 1),
    (("attach", B, "--obj", xgcli.FOREIGN_OBJ), 1),
    (("attach", B, "--obj", xgcli.IMPOSTOR_OBJ), 1),
    # the TC hook's options
    (("attach", B, "--hook", "tcp"), 2),
    (("attach", B, "--hook", "tc", "--mode", "native"), 2),
    (("attach", B, "--hook", "tc", "--via", "link"), 2),
    (("attach", B, "--direction", "egress"), 2),
    (("attach", B, "--hook", "tc", "--direction", "sideways"), 2),
    (("attach", B, "--hook", "tc", "--tc-via", "pigeon"), 2),
    (("attach", B, "--netns", "x", "--hook", "tc"), 2),
    (("attach", "--netns", "xgenonexistent", "--hook", "tc"), 1),
    (("attach", "--netns", "../x", "--hook", "tc"), 1),
    (("attach", B, "--hook", "tc", "--adopt=/sys/fs/bpf/xdpgate/x"), 2),
    (("attach", B, "--hook", "tc", "--obj", xgcli.FOREIGN_OBJ), 1),
    (("detach", B, "--hook", "tc"), 1),
    (("detach", A, "--direction", "ingress"), 2),
    (("detach", A, "--hook", "udp"), 2),
    (("detach", "--orphans", "--hook", "tc"), 2),
    (("watch", "--bogus"), 2),
    (("watch", "extra"), 2),
    # state
    (("attach", A), 1),
    (("attach", A, "--adopt"), 1),
    (("attach", B, "--adopt=/sys/fs/bpf/xdpgate/nosuch"), 1),
    (("detach", B), 1),
    (("stats", B), 1),
    (("stats", "xgenosuchif0"), 1),
]


@pytest.fixture(scope="module")
def pair():
    import xgnet
    a, b = xgnet.Topology(), xgnet.Topology()
    try:
        a.setup()
        b.setup()
        xg_ok("attach", a.gate, "--max-sources", "64")
        pkts = traffic.flows({"192.0.2.99": [64, 70], "2001:db8::99": [90]})
        a.send(pkts)
        xgcli.wait_stats(a.gate, len(pkts))
        yield a, b
    finally:
        for t in (a, b):
            t.teardown()


def status_bytes(a, b):
    p = xg("status", "--json", a.gate, b.gate)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("args,rc", CASES,
                         ids=[" ".join(a).encode("ascii", "backslashreplace").decode()
                              or "(none)" for a, _ in CASES])
def test_bad_input_exits_nonzero_and_changes_nothing(pair, args, rc):
    a, b = pair
    before = status_bytes(a, b)
    argv = [x.replace(A, a.gate).replace(B, b.gate) for x in args]
    p = xg(*argv)
    assert p.returncode == rc, "xdpgate %r exited %d, wanted %d: %s" % (
        argv, p.returncode, rc, p.stderr)
    assert p.stderr.strip(), "no message on stderr"
    assert "error" in p.stderr or "usage" in p.stderr, p.stderr
    assert status_bytes(a, b) == before, "status changed after %r" % (argv,)
    assert not os.path.exists(b.pin_dir)
    assert xgcli.link_xdp(b.gate) == (None, None)
