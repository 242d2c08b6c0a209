"""`xdpgate serve`: scraped by a real Prometheus (its query API returns the
exact counters scapy produced, and every expression of the Grafana
dashboard runs against it), 100 concurrent scrapes, no fd left behind per
scrape, only /metrics and /, and a data plane detached, re-attached and
replaced under a running exporter.
"""
import os
import threading
import time

import pytest

import traffic
import xgcli
import xgnet
import xgprom
from xgcli import wait_stats, xg_ok

DASHBOARD = os.path.join(xgcli.REPO, "dashboards", "xdpgate.json")
PLAN = {
    "192.0.2.20": [100 + j for j in range(8)],
    "192.0.2.21": [150] * 6,
    "2001:db8:9::1": [90 + j for j in range(5)],
    "192.0.2.22": [64, 65, 66],
    "2001:db8:9::2": [200],
}


def test_prometheus_scrapes_exact_counters(attached):
    gate = attached.gate
    pkts = traffic.flows(PLAN)
    attached.send(pkts)
    ifc = wait_stats(gate, len(pkts))
    n, b = traffic.total(pkts)
    with xgprom.serve("--iface", gate, "--top-sources", "2", "--cache", "0") as srv, \
            xgprom.prometheus(srv.port) as prom:
        xgprom.promtool_check(srv.metrics())
        me = 'ifname="%s",hook="xdp",direction="ingress"' % gate
        prom.wait_for('xdpgate_packets_total{%s,action="pass"}' % me,
                      {frozenset({"ifname": gate, "hook": "xdp", "direction": "ingress",
                                  "action": "pass"}.items()): float(n)})
        got = prom.vector('xdpgate_bytes_total{%s,action="pass"}' % me)
        assert list(got.values()) == [float(b)]
        # Per source: the top 2 exact, the rest in "other" per family.
        want = {}
        ranked = sorted(PLAN, key=lambda k: -len(PLAN[k]))
        for src in ranked[:2]:
            want[(src, "ipv4" if ":" not in src else "ipv6")] = len(PLAN[src])
        for fam in ("ipv4", "ipv6"):
            want[("other", fam)] = sum(len(PLAN[k]) for k in ranked[2:]
                                       if (":" in k) == (fam == "ipv6"))
        got = prom.vector('xdpgate_source_packets_total{%s}' % me)
        assert {(dict(k)["source"], dict(k)["family"]): v for k, v in got.items()} == \
            {k: float(v) for k, v in want.items()}
        bytes_ = prom.vector('sum(xdpgate_source_bytes_total{%s})' % me)
        assert list(bytes_.values()) == [float(b)]
        assert ifc["sources_total"] == len(PLAN)
        # Every dashboard expression is valid PromQL against real data.
        for title, expr in xgprom.dashboard_exprs(DASHBOARD):
            prom.query(expr)
        for expr in ('xdpgate_up{layer="xdp"}', 'xdpgate_map_max_entries{%s}' % me,
                     'xdpgate_instance_info{%s}' % me):
            assert prom.vector(expr), expr


def scrape_all(url, n):
    """n concurrent GETs of url released together: [(status, body)]."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def one(i):
        barrier.wait()
        try:
            out[i] = xgprom.http_get(url, timeout=60)
        except OSError as e:
            out[i] = (None, repr(e))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_concurrent_scrapes_share_one_collection(attached):
    attached.send(traffic.flows(PLAN))
    wait_stats(attached.gate, sum(len(v) for v in PLAN.values()))
    with xgprom.serve("--iface", attached.gate, "--cache", "600") as srv:
        first = xgprom.parse(srv.metrics())[0]
        assert xgprom.value(first, "xdpgate_exporter_collections_total") == 1
        results = scrape_all(srv.url + "/metrics", 100)
        assert all(code == 200 for code, _ in results), [r for r in results if r[0] != 200][:3]
        for _, body in results:
            s, _ = xgprom.parse(body)
            assert xgprom.value(s, "xdpgate_packets_total", ifname=attached.gate,
                                action="pass") == sum(len(v) for v in PLAN.values())
        last = xgprom.parse(srv.metrics())[0]
        # One collection answered all of them; each was counted.
        assert xgprom.value(last, "xdpgate_exporter_collections_total") == 1
        assert xgprom.value(last, "xdpgate_exporter_scrapes_total") == 102
        assert srv.alive()


def test_no_fd_per_scrape_and_only_metrics(attached, make_topo, foreign_obj):
    # A foreign XDP program on a probed interface took libxdp's leaking path.
    other = make_topo()
    xgnet.run("ip", "link", "set", "dev", other.gate, "xdp", "obj", foreign_obj, "sec", "xdp")
    with xgprom.serve("--iface", attached.gate, "--iface", other.gate, "--cache", "0") as srv:
        srv.metrics()
        before = srv.fds()
        for _ in range(100):
            srv.metrics()
        s, _ = xgprom.parse(srv.metrics())
        assert xgprom.value(s, "xdpgate_exporter_collections_total") == 102
        after = srv.fds()
        assert after <= before, "fds %d -> %d after 100 scrapes" % (before, after)
        code, body = xgprom.http_get(srv.url + "/")
        assert code == 200 and 'href="/metrics"' in body
        for path in ("/metric", "/metrics/x", "/favicon.ico", "/api/v1/query"):
            assert xgprom.http_get(srv.url + path)[0] == 404, path
        assert xgprom.http_get(srv.url + "/metrics", method="POST")[0] == 405
        assert xgprom.http_get(srv.url + "/metrics", method="HEAD")[0] == 200


def test_detached_replaced_under_the_exporter(attached):
    gate = attached.gate
    me = {"ifname": gate, "hook": "xdp", "direction": "ingress"}
    with xgprom.serve("--iface", gate, "--cache", "0") as srv:
        attached.send(traffic.flows({"192.0.2.30": [100] * 4}))
        wait_stats(gate, 4)
        s, _ = xgprom.parse(srv.metrics())
        assert xgprom.value(s, "xdpgate_up", layer="xdp") == 1
        assert xgprom.value(s, "xdpgate_packets_total", action="pass", **me) == 4
        old = xgprom.value(s, "xdpgate_prog_id", **me)
        # Replaced: the new program, the same counters.
        xg_ok("attach", gate, "--mode", "native", "--replace")
        s, _ = xgprom.parse(srv.metrics())
        assert xgprom.value(s, "xdpgate_prog_id", **me) != old
        assert xgprom.value(s, "xdpgate_prog_id", **me) == xgcli.link_xdp(gate)[1]
        assert xgprom.value(s, "xdpgate_packets_total", action="pass", **me) == 4
        # Detached: absent, and the exporter keeps answering.
        xg_ok("detach", gate)
        for _ in range(3):
            s, _ = xgprom.parse(srv.metrics())
            assert xgprom.value(s, "xdpgate_up", layer="xdp") == 0
            assert not xgprom.select(s, "xdpgate_packets_total", ifname=gate)
            assert xgprom.value(s, "xdpgate_scrape_errors") == 0
        # Attached again: a new instance, counting from zero.
        xg_ok("attach", gate, "--mode", "native")
        s, _ = xgprom.parse(srv.metrics())
        assert xgprom.value(s, "xdpgate_up", layer="xdp") == 1
        assert xgprom.value(s, "xdpgate_packets_total", action="pass", **me) == 0
        assert srv.alive()
    code, err = srv.stop()
    assert code == 0, err


@pytest.mark.parametrize("args", [("--listen", "nowhere"), ("--listen", "127.0.0.1:99999"),
                                  ("--top-sources", "x"), ("--cache", "-1"),
                                  ("--iface", "a/b"), ("extra",), ("--bogus",)])
def test_serve_usage(args):
    p = xgcli.xg("serve", *args)
    assert p.returncode == 2 and "serve:" in p.stderr, (args, p.stderr)


def test_serve_port_in_use():
    with xgprom.serve("--iface", "xge00000g00") as srv:
        p = xgcli.xg("serve", "--listen", "127.0.0.1:%d" % srv.port, timeout=10)
        assert p.returncode == 1 and "cannot listen" in p.stderr, p.stderr
