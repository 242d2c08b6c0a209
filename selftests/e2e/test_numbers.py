"""--max-sources: decimal only, and its memory said before it is taken:
refused above the limit (1/8 of the machine's memory) unless --force.
"""
import os
import re

import pytest

import xgcli
from xgcli import instance, link_xdp, xg, xg_ok


@pytest.mark.parametrize("value", ["0100", "0x20", "+64", "-64", " 64", "64 ",
                                   "6e1", "1_000", "", "16777217", "15"])
def test_max_sources_decimal_only(topo, value):
    p = xg("attach", topo.gate, "--max-sources", value)
    assert p.returncode == 2, (value, p.returncode, p.stderr)
    assert "--max-sources" in p.stderr and "decimal" in p.stderr, p.stderr
    assert link_xdp(topo.gate) == (None, None)
    assert not os.path.exists(topo.pin_dir)


def test_memory_estimate_printed(topo):
    p = xg_ok("attach", topo.gate, "--max-sources", "1000")
    m = re.search(r"new maps: about ([0-9.]+) (KiB|MiB)", p.stdout)
    assert m, p.stdout
    # 2 maps x 1000 entries x 48 B x CPUs, plus the fixed arrays: a lower bound.
    ncpu = os.cpu_count()
    kib = float(m.group(1)) * (1024 if m.group(2) == "MiB" else 1)
    assert kib * 1024 >= 2 * 1000 * 48 * ncpu, (kib, ncpu)
    assert instance(topo.gate)["maps"]["xg_src_v4"]["max_entries"] == 1000


def mem_total():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal")


def test_huge_map_refused_without_force(topo):
    n = 16777216
    lower_bound = 2 * n * 48 * os.cpu_count()
    if lower_bound <= mem_total() // 8:
        pytest.skip("SKIP: %d sources fit this machine's limit (%d bytes); "
                    "nothing to refuse" % (n, mem_total() // 8))
    p = xg("attach", topo.gate, "--max-sources", str(n), timeout=20)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert re.search(r"about [0-9.]+ GiB", p.stderr), p.stderr
    assert "--force" in p.stderr and "limit" in p.stderr, p.stderr
    assert link_xdp(topo.gate) == (None, None)
    assert not os.path.exists(topo.pin_dir)
    assert xgcli.status(topo.gate) == {"instances": [], "orphans": [], "elsewhere": []}
