"""Evictions are visible: with a small LRU map most sources are evicted,
and stats and status say how many and how many packets and bytes left with
them, so the rows plus the evicted counts (plus what the admission stage
held) add up to what was sent, exactly.

The test runs with the admission stage off (--exact: every source an
entry, as before the stage) and on (one-packet sources held, the
two-packet ones admitted, and those still evict one another).
"""
import os
import subprocess
import sys

import pytest

import traffic
import xgcli
from xgcli import wait_stats, xg_ok

# More sources than the per-CPU hot cache has slots (1024), so slots
# change owner and counts go through the 16-entry LRU maps, which evict.
NSRC = 2500


def plan():
    return {"10.%d.%d.1" % (i // 200, i % 200): [64 + i % 9] * (1 + i % 2)
            for i in range(NSRC)}


def send_on_cpu(topo, pkts, cpu):
    """Send from a child pinned to one CPU: veth runs XDP on the sender's
    CPU, so two children put traffic through both CPUs' per-CPU state.
    """
    pid = os.fork()
    if pid == 0:
        try:
            os.sched_setaffinity(0, {cpu})
            topo.send(pkts)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert status == 0, "sender on CPU %d failed" % cpu


@pytest.mark.parametrize("accounting", ["--exact", "--no-exact"])
def test_evictions_reconcile_rows_with_totals(topo, accounting):
    xg_ok("attach", topo.gate, "--max-sources", "16", accounting)
    p = plan()
    pkts = traffic.flows(p)
    cpus = sorted(os.sched_getaffinity(0))
    half = len(pkts) // 2
    send_on_cpu(topo, pkts[:half], cpus[0])
    send_on_cpu(topo, pkts[half:], cpus[-1])
    ifc = wait_stats(topo.gate, len(pkts))

    sent_p, sent_b = traffic.total(pkts)
    assert ifc["actions"]["pass"] == {"packets": sent_p, "bytes": sent_b}
    rows_p = sum(s["packets"] for s in ifc["sources"])
    rows_b = sum(s["bytes"] for s in ifc["sources"])
    ev = ifc["evictions"]
    lost = ifc["parse"]["src_update_fail"]
    held = ifc["accounting"]["held"]
    # The reconciliation, computed by the test from what it sent.
    assert rows_p + ev["packets"] + held["packets"] + lost["packets"] == sent_p, \
        (rows_p, ev, held, lost)
    assert rows_b + ev["bytes"] + held["bytes"] + lost["bytes"] == sent_b, \
        (rows_b, ev, held, lost)
    assert ev["packets"] > 0, "a 16-entry map kept all %d sources?" % NSRC
    if accounting == "--exact":
        assert held["packets"] == 0, held
    else:
        assert held["packets"] > 0, "one-packet sources were all admitted?"
    # Evicted entries are the inserts minus what the LRU maps hold now
    # (counted by status, key by key).
    inst = xgcli.instance(topo.gate)
    live = inst["maps"]["xg_src_v4"]["entries"] + inst["maps"]["xg_src_v6"]["entries"]
    assert 0 < live <= 16 + 16
    assert ev["evicted"] == ev["inserted"] - live > 0, (ev, live)
    # Sources not evicted are in a row, in the LRU map or a hot slot.
    assert len(ifc["sources"]) + ev["evicted"] >= min(NSRC, ev["inserted"])
    assert inst["evictions"] == ev
    # Each surviving row is exact or short, never more than was sent.
    want = traffic.per_source(p)
    for ip, (n, b) in traffic.reported(ifc).items():
        assert n <= want[ip][0] and b <= want[ip][1], (ip, n, b)

    table = xg_ok("stats", topo.gate).stdout
    assert "evicted sources: %d of %d inserted, %d packets" % (
        ev["evicted"], ev["inserted"], ev["packets"]) in table, table
    status_table = xg_ok("status", topo.gate).stdout
    assert "%d (%d pkts)" % (ev["evicted"], ev["packets"]) in status_table, status_table


def test_no_evictions_when_the_map_holds_everything(attached):
    pkts = traffic.flows({"192.0.2.97": [64] * 5, "2001:db8::97": [80] * 3})
    attached.send(pkts)
    ifc = wait_stats(attached.gate, len(pkts))
    assert ifc["evictions"] == {"inserted": ifc["evictions"]["inserted"], "evicted": 0,
                                "packets": 0, "bytes": 0}
    assert ifc["evictions"]["inserted"] <= 2
