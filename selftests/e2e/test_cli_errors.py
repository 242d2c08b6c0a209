"""Bad input: exit 2 for usage errors, 1 for failures, a message on stderr
that names what went wrong, and no state left behind.
"""
import os
import re

import pytest

import traffic
import xgcli
import xgnet
from xgcli import instance, link_xdp, stats, wait_stats, xg, xg_ok

NOSUCH = "xgenosuchif0"
IF = "{if}"  # replaced by the test's gate interface

# (arguments, exit code, patterns stderr must match)
UNATTACHED = [
    ((), 2, [r"(?i)usage"]),
    (("frobnicate",), 2, ["frobnicate"]),
    (("attach",), 2, [r"(?i)interface|IFACE"]),
    (("attach", NOSUCH), 1, [NOSUCH, r"(?i)no such|not found|does not exist"]),
    (("attach", IF, "--mode", "turbo"), 2, ["turbo"]),
    (("attach", IF, "--mode"), 2, ["mode"]),
    (("attach", IF, "--mode", "hw"), 1, [IF, xgcli.PROG_NAME, r"\bhw\b"]),
    (("attach", IF, "--obj", "/nonexistent"), 1, ["/nonexistent", r"(?i)no such file"]),
    (("attach", IF, "--via", "pigeon"), 2, ["pigeon"]),
    (("attach", IF, "--max-sources", "0"), 2, ["max-sources"]),
    (("attach", IF, "--max-sources", "lots"), 2, ["lots"]),
    (("attach", IF, "--bogus"), 2, ["--bogus"]),
    (("attach", IF, "surplus"), 2, [r"surplus|one interface"]),
    (("detach",), 2, [r"(?i)interface|IFACE"]),
    (("detach", IF), 1, [IF]),
    (("detach", NOSUCH), 1, [NOSUCH]),
    (("status", "--bogus"), 2, ["--bogus"]),
    (("stats", IF), 1, [IF]),
    (("stats", NOSUCH), 1, [NOSUCH]),
    (("stats", "--sort", "foo"), 2, ["foo"]),
]

ATTACHED = [
    (("stats", IF, "--top", "0"), 2, ["top"]),
    (("stats", IF, "--top", "-3"), 2, ["top|-3"]),
    (("stats", IF, "--top", "many"), 2, ["many"]),
    (("stats", IF, "--top"), 2, ["top"]),
    (("stats", IF, "--sort", "foo"), 2, ["foo"]),
    (("stats", IF, "--json", "--bogus"), 2, ["--bogus"]),
]


def _ids(cases):
    return [" ".join(a) or "(none)" for a, _, _ in cases]


def run_case(gate, args, rc, patterns, prefix=()):
    args = [a.replace(IF, gate) for a in args]
    p = xg(*args, prefix=prefix)
    assert p.returncode == rc, "xdpgate %s exited %d, wanted %d; stderr: %s" % (
        " ".join(args), p.returncode, rc, p.stderr)
    for pat in patterns:
        pat = pat.replace(IF, gate)
        assert re.search(pat, p.stderr), "stderr of 'xdpgate %s' lacks %r: %r" % (
            " ".join(args), pat, p.stderr)
    assert p.stderr.strip(), "no message on stderr"
    return p


def check_untouched(t):
    assert link_xdp(t.gate) == (None, None)
    assert not os.path.exists(t.pin_dir)
    assert not os.path.exists(os.path.join(xgnet.PIN_ROOT, NOSUCH))
    assert instance(t.gate) is None


@pytest.mark.parametrize("args,rc,patterns", UNATTACHED, ids=_ids(UNATTACHED))
def test_bad_input_changes_nothing(topo, args, rc, patterns):
    run_case(topo.gate, args, rc, patterns)
    check_untouched(topo)


@pytest.mark.parametrize("args,rc,patterns", ATTACHED, ids=_ids(ATTACHED))
def test_bad_stats_options(attached, args, rc, patterns):
    t = attached
    pkts = traffic.flows({"192.0.2.70": [64, 70]})
    t.send(pkts)
    before = wait_stats(t.gate, len(pkts))
    run_case(t.gate, args, rc, patterns)
    assert stats(t.gate) == before


@pytest.mark.parametrize("args", [("attach", IF), ("detach", IF), ("status",),
                                  ("stats",)], ids=lambda a: " ".join(a))
def test_not_root(topo, args):
    run_case(topo.gate, args, 1, [r"(?i)root|permission|privilege"],
             prefix=xgcli.NOBODY)
    check_untouched(topo)


def test_not_root_leaves_running_instance_alone(attached):
    t = attached
    prog = instance(t.gate)["prog_id"]
    run_case(t.gate, ("detach", IF), 1, [r"(?i)root|permission|privilege"],
             prefix=xgcli.NOBODY)
    assert instance(t.gate)["prog_id"] == prog
    assert link_xdp(t.gate) == ("xdp", prog)


def test_hw_mode_keeps_existing_attach(attached):
    """A failed --replace leaves the running program and its counters."""
    t = attached
    pkts = traffic.flows({"2001:db8::71": [100, 101, 102]})
    t.send(pkts)
    before = wait_stats(t.gate, len(pkts))
    run_case(t.gate, ("attach", IF, "--replace", "--mode", "hw"), 1,
             [IF, xgcli.PROG_NAME])
    assert stats(t.gate) == before
    assert link_xdp(t.gate) == ("xdp", before["prog_id"])
    xg_ok("status", t.gate)
