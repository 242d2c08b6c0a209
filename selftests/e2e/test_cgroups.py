"""The socket layer through the CLI: xdpgate cgroups attach / show / detach,
status, names, removed cgroups, orphans and errors.

Only one socket layer can be attached per host (its pins are host-wide), so
these tests take CG_LAYER_LOCK for their whole run: two test runs take
turns. A layer attached by anyone else (not a test of this suite) is never
touched: the tests that need to attach skip, saying so. Every check looks
only at this test's own cgroups' rows.
"""
import fcntl
import json
import os
import subprocess
import time

import pytest

import xgcgroup
import xgcli
from xgcli import xg, xg_ok

UDP_HDR = 8
IP_HDR = {"ipv4": 20, "ipv6": 40}
TCP_HDR_MAX = 120
FAM = {"ipv4": xgcgroup.socket.AF_INET, "ipv6": xgcgroup.socket.AF_INET6}


@pytest.fixture(scope="module")
def layer_lock():
    with open(xgcgroup.CG_LAYER_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        xgcgroup.sweep()
        yield


@pytest.fixture
def free_layer(layer_lock):
    """The host's socket layer is ours to attach; detached afterwards."""
    if os.path.exists(xgcgroup.CG_PIN_DIR):
        pytest.skip("the socket layer is attached on this host by someone "
                    "else (%s exists): not touching it" % xgcgroup.CG_PIN_DIR)
    yield
    if os.path.exists(xgcgroup.CG_PIN_DIR):
        xg("cgroups", "detach")


@pytest.fixture
def cgs():
    c = xgcgroup.CgroupSet()
    try:
        yield c
    finally:
        c.teardown()


def layer_ids():
    """Program and link ids the pinned layer holds (via status)."""
    st = xgcli.xg_json("status")["cgroup"]
    return st.get("prog_id"), st.get("link_id")


def rows_by_path():
    doc = xgcli.xg_json("cgroups")
    return doc, {r["path"]: r for r in doc["cgroups"] if r["path"]}


def rel(cg):
    return cg[len(xgcgroup.v2_root()):]


def check_clean(prog_id):
    assert not os.path.exists(xgcgroup.CG_PIN_DIR), "pins left behind"
    st = xgcli.xg_json("status")["cgroup"]
    assert st["state"] == "not attached", st
    # Links go when their last reference does, which the kernel finishes
    # asynchronously: give it a moment.
    for _ in range(50):
        progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"],
                                          capture_output=True, text=True).stdout)
        if prog_id not in [p["id"] for p in progs]:
            return
        time.sleep(0.1)
    raise AssertionError("program %d still loaded after detach" % prog_id)


def run_flows(a, b, flows):
    """Run each (proto, family, a_n, a_size, b_n, b_size); expected cells."""
    exp = {a: {}, b: {}}
    for proto, fam, an, asz, bn, bsz in flows:
        sa, sb = xgcgroup.flow(proto, FAM[fam], a, b, an, asz, bn, bsz)
        assert sa["tx_bytes"] == an * asz and sb["tx_bytes"] == bn * bsz
        for cg, side in ((a, sa), (b, sb)):
            cell = exp[cg].setdefault((proto, fam), dict.fromkeys(
                ("tx_packets", "tx_bytes", "rx_packets", "rx_bytes",
                 "tx_wire", "rx_wire"), 0))
            for d in ("tx", "rx"):
                cell[d + "_packets"] += side[d + "_calls"]
                cell[d + "_bytes"] += side[d + "_bytes"]
                cell[d + "_wire"] += side[d + "_bytes"] + side[d + "_calls"] * (
                    UDP_HDR + IP_HDR[fam])
    return exp


def check_cells(row, exp, backend):
    for proto in ("tcp", "udp"):
        for fam in ("ipv4", "ipv6"):
            got = row[proto][fam]
            want = exp.get((proto, fam))
            where = "%s %s/%s" % (row["path"], proto, fam)
            if want is None:
                assert all(v == 0 for v in got.values()), (where, got)
                continue
            for d in ("tx", "rx"):
                if backend != "cgroup_skb":
                    assert got[d + "_packets"] == want[d + "_packets"], (where, d, got, want)
                    assert got[d + "_bytes"] == want[d + "_bytes"], (where, d, got, want)
                elif proto == "udp":
                    assert got[d + "_packets"] == want[d + "_packets"], (where, d, got, want)
                    assert got[d + "_bytes"] == want[d + "_wire"], (where, d, got, want)
                else:
                    pay, n = want[d + "_bytes"], got[d + "_packets"]
                    assert pay <= got[d + "_bytes"] <= pay + n * TCP_HDR_MAX, (where, d, got)


FLOWS = [("udp", "ipv4", 7, 300, 5, 111), ("udp", "ipv6", 6, 420, 4, 97),
         ("tcp", "ipv4", 20, 5000, 3, 7777), ("tcp", "ipv6", 9, 3000, 2, 999)]


@pytest.mark.parametrize("backend", ["auto", "fentry", "kprobe", "tracepoint",
                                     "cgroup_skb"])
def test_backend(free_layer, cgs, backend):
    p = xg("cgroups", "attach", "--backend", backend)
    if p.returncode != 0:
        # Refused by this kernel: a clear error, nothing left behind.
        assert p.returncode == 1, p.stderr
        assert "backend %s" % backend in p.stderr, p.stderr
        assert not os.path.exists(xgcgroup.CG_PIN_DIR), "pins after a refusal"
        pytest.skip("backend %s refused here: %s" % (backend, p.stderr.strip()))
    status = xgcli.xg_json("status")["cgroup"]
    used = status["backend"]
    assert status["state"] == "attached"
    assert backend in ("auto", used), (backend, status)
    order = ["fentry", "kprobe", "tracepoint", "cgroup_skb"]
    if backend == "auto":  # every better backend has its reason
        for better in order[:order.index(used)]:
            assert status["refused"].get(better), status
            assert "%s refused" % better in p.stderr, p.stderr
    prog_id, _ = layer_ids()
    a, b = cgs.child(cgs.tag + "a01"), cgs.child(cgs.tag + "b01")
    exp = run_flows(a, b, FLOWS)
    doc, rows = rows_by_path()
    assert doc["backend"] == used
    for cg in (a, b):
        row = rows.get(rel(cg))
        assert row, "no row for %s" % rel(cg)
        assert row["id"] == xgcgroup.cgroup_id(cg)
        assert row["state"] == "live"
        assert row["cgroup"] == rel(cg)  # not a unit or container: the path
        check_cells(row, exp[cg], used)
        for d in ("tx", "rx"):
            assert row[d + "_bytes"] == sum(row[p][f][d + "_bytes"]
                                            for p in ("tcp", "udp")
                                            for f in ("ipv4", "ipv6"))
    table = xg_ok("cgroups", "--top", "1000").stdout
    assert rel(a) in table and rel(b) in table, table
    xg_ok("cgroups", "detach")
    check_clean(prog_id)


def test_names_and_removed_once(free_layer, cgs):
    xg_ok("cgroups", "attach", "--backend", "tracepoint")
    unit = cgs.child("nginx.service")
    dock = cgs.child("docker-3f2a1b4c5d6e" + "7" * 52 + ".scope")
    gone = cgs.child(cgs.tag + "r01")
    xgcgroup.flow("udp", FAM["ipv4"], unit, dock, 2, 100, 1, 50)
    xgcgroup.flow("udp", FAM["ipv4"], gone, unit, 3, 64, 1, 32)
    gone_id = xgcgroup.cgroup_id(gone)
    cgs.remove(gone)
    doc, rows = rows_by_path()
    assert rows[rel(unit)]["cgroup"] == "nginx.service"
    assert rows[rel(dock)]["cgroup"] == "docker 3f2a1b4c5d6e"
    dead = [r for r in doc["cgroups"] if r["id"] == gone_id]
    assert len(dead) == 1 and dead[0]["state"] == "removed", dead
    assert dead[0]["path"] is None
    assert dead[0]["udp"]["ipv4"]["tx_packets"] == 3
    assert dead[0]["udp"]["ipv4"]["tx_bytes"] == 192
    doc, rows = rows_by_path()
    assert not [r for r in doc["cgroups"] if r["id"] == gone_id], \
        "a removed cgroup's row was reported twice"
    assert rel(unit) in rows, "a live cgroup's row was dropped"
    xg_ok("cgroups", "detach")


def test_second_attach_and_orphan(free_layer):
    xg_ok("cgroups", "attach", "--backend", "cgroup_skb")
    p = xg("cgroups", "attach")
    assert p.returncode == 1 and "already attached" in p.stderr, p.stderr
    prog_id, _ = layer_ids()
    # A link pin gone: the programs it held no longer run.
    links = [f for f in os.listdir(xgcgroup.CG_PIN_DIR) if f.startswith("link_")]
    os.unlink(os.path.join(xgcgroup.CG_PIN_DIR, links[0]))
    st = xgcli.xg_json("status")["cgroup"]
    assert st["state"] == "orphan" and "links" in st["orphan_reason"], st
    assert "orphan" in xg_ok("status").stdout
    p = xg("cgroups")
    assert p.returncode == 1 and "orphan" in p.stderr, p.stderr
    p = xg("cgroups", "attach")
    assert p.returncode == 1 and "leftover" in p.stderr, p.stderr
    assert "orphan" in xg_ok("cgroups", "detach").stderr
    check_clean(prog_id)


def test_not_attached_and_usage(layer_lock):
    for args in (["--backend", "nope"], ["--max-cgroups", "0"], ["--bogus"]):
        p = xg("cgroups", "attach", *args)
        assert p.returncode == 2 and "usage" in p.stderr, (args, p.stderr)
    for args in (["--top", "0"], ["--sort", "calls"], ["frobnicate"]):
        p = xg("cgroups", *args)
        assert p.returncode == 2, (args, p.stderr)
    if not os.path.exists(xgcgroup.CG_PIN_DIR):
        p = xg("cgroups")
        assert p.returncode == 1 and "not attached" in p.stderr, p.stderr
        p = xg("cgroups", "detach")
        assert p.returncode == 1 and "not attached" in p.stderr, p.stderr
