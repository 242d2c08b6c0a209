"""The Grafana dashboard is built on what the exporter emits: every
expression parses as PromQL (promtool check rules) and every metric it
names is in the output of a real `stats --prom` or `serve` run with every
layer present: an XDP instance with traffic, and the socket layer.
"""
import fcntl
import os
import subprocess
import tempfile

import pytest

import traffic
import xgcgroup
import xgcli
import xgprom
from xgcli import wait_stats, xg, xg_ok

DASHBOARD = os.path.join(xgcli.REPO, "dashboards", "xdpgate.json")


@pytest.fixture
def socket_layer():
    """The host's socket layer running, for as long as the test: ours,
    attached and detached under the suite's lock, or someone else's, only
    read.
    """
    with open(xgcgroup.CG_LAYER_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ours = not os.path.exists(xgcgroup.CG_PIN_DIR)
        if ours:
            xg_ok("cgroups", "attach")
        try:
            yield
        finally:
            if ours:
                xg("cgroups", "detach")


def test_promql_parses():
    exprs = xgprom.dashboard_exprs(DASHBOARD)
    assert len(exprs) > 20
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        f.write("groups:\n  - name: dashboard\n    rules:\n")
        for i, (title, e) in enumerate(exprs):
            f.write("      - record: dashboard:expr%d\n        expr: '%s'\n" % (
                i, e.replace("'", "''")))
        f.flush()
        p = subprocess.run([xgprom.PROMTOOL, "check", "rules", f.name],
                           capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr


def test_every_metric_is_emitted(attached, socket_layer):
    attached.send(traffic.flows({"192.0.2.40": [100] * 3, "2001:db8:4::1": [90] * 2}))
    wait_stats(attached.gate, 5)
    text = xg_ok("stats", attached.gate, "--prom", "--cgroups").stdout
    emitted = xgprom.names(xgprom.parse(text)[0])
    with xgprom.serve("--iface", attached.gate, "--cgroups") as srv:
        emitted |= xgprom.names(xgprom.parse(srv.metrics())[0])
    used = set()
    for title, e in xgprom.dashboard_exprs(DASHBOARD):
        names = xgprom.metric_names(e)
        assert names, "%s: no xdpgate metric in %r" % (title, e)
        missing = names - emitted
        assert not missing, "%s: %s not emitted by the exporter" % (title, sorted(missing))
        used |= names
    # The dashboard covers every layer and the self-monitoring.
    for n in ("xdpgate_packets_total", "xdpgate_source_packets_total",
              "xdpgate_cgroup_bytes_total", "xdpgate_sources_evicted_total",
              "xdpgate_map_max_entries", "xdpgate_scrape_duration_seconds",
              "xdpgate_exporter_open_fds", "xdpgate_instance_info"):
        assert n in used, n
