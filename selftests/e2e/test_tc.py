"""The TC data plane end to end: what a host sends (which XDP cannot see)
counted by destination at egress, what arrives counted by source at
ingress, both attach paths, TCP with GSO/TSO, headers beyond the linear
part of an skb, XDP and TC on one interface, foreign filters, policy."""
import ipaddress
import json
import os
import socket
import subprocess
import time

import pytest
from scapy.all import Ether, IP, Raw, UDP, conf, sendp

import tcnet
import traffic
import xgcli
import xgnet
from tcnet import udp_frame_bytes

SMALL = ("--max-sources", "1024")


class Sink:
    """A bound UDP socket in netns, so datagrams to it draw no ICMP
    error back (which would add packets the test did not send)."""

    def __init__(self, netns, ip, port=9):
        with xgnet.in_netns(netns):
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((ip, port))
        self.s.setblocking(False)

    def count(self):
        n = 0
        try:
            while True:
                self.s.recv(65536)
                n += 1
        except BlockingIOError:
            return n

    def close(self):
        self.s.close()


def rows(ifc):
    """{address: (packets, bytes)} of a stats entry's rows."""
    return {ipaddress.ip_address(r["source"]): (r["packets"], r["bytes"])
            for r in ifc["sources"]}


def expect(ip, sizes):
    return {ipaddress.ip_address(ip): (len(sizes), sum(udp_frame_bytes(n) for n in sizes))}


@pytest.mark.parametrize("via", ["tcx", "clsact"])
def test_egress_by_destination_ingress_by_source(host, via):
    c = host.add_container()
    p = host.xg_ok("attach", c.host_if, "--hook", "tc", "--tc-via", via, *SMALL)
    assert "at tc ingress via %s" % via in p.stdout, p.stdout
    assert "at tc egress via %s" % via in p.stdout, p.stdout
    st = host.xg_json("status", c.host_if)["instances"]
    assert sorted((i["hook"], i["direction"], i["via"], i["counted_by"]) for i in st) == [
        ("tc", "egress", via, "destination"), ("tc", "ingress", via, "source")]
    for i in st:
        assert i["mode"] is None
        assert i["pin_path"] == xgnet.inst_dir(host.cookie, c.ifindex,
                                               "tc-" + i["direction"])
        assert i["owner"]["state"] == "attached"
        assert i["owner"]["hook"] == "tc-" + i["direction"]
        assert i["owner"]["link_id"] != 0 if via == "tcx" else i["owner"]["link_id"] == 0
    if via == "clsact":
        assert any("xdpgate_ingress" in l for l in tcnet.tc_filters(host.netns, c.host_if, "ingress"))
        assert any("xdpgate_egress" in l for l in tcnet.tc_filters(host.netns, c.host_if, "egress"))
    else:
        assert os.path.exists(os.path.join(xgnet.inst_dir(host.cookie, c.ifindex, "tc-ingress"), "link"))

    out_sizes = [10, 100, 1000, 1400, 1400, 1]
    in_sizes = [20, 30, 1200]
    sink_c, sink_h = Sink(c.netns, c.ip), Sink(host.netns, c.host_ip)
    try:
        tcnet.udp_send(host.netns, c.ip, out_sizes)
        tcnet.udp_send(c.netns, c.host_ip, in_sizes)
        eg = host.wait_stats(c.host_if, "egress", len(out_sizes))
        ing = host.wait_stats(c.host_if, "ingress", len(in_sizes))
        assert sink_c.count() == len(out_sizes) and sink_h.count() == len(in_sizes)
    finally:
        sink_c.close()
        sink_h.close()
    # Locally generated, so XDP never saw it: counted by destination.
    assert rows(eg) == expect(c.ip, out_sizes)
    assert eg["counted_by"] == "destination" and eg["via"] == via
    assert eg["actions"]["pass"] == {"packets": len(out_sizes),
                                     "bytes": sum(udp_frame_bytes(n) for n in out_sizes)}
    assert rows(ing) == expect(c.ip, in_sizes)
    assert ing["actions"]["pass"]["packets"] == len(in_sizes)
    assert all(v["packets"] == 0 for v in eg["parse"].values())
    assert all(v["packets"] == 0 for v in ing["parse"].values())

    host.xg_ok("detach", c.host_if)
    assert host.xg_json("status", c.host_if)["instances"] == []
    assert not os.path.exists(xgnet.if_dir(host.cookie, c.ifindex))


def test_tcp_with_gso_counted_as_segments(host):
    """A 2 MB TCP transfer with TSO on: each GSO packet counts as the
    segments it becomes, so the egress row equals the segments the sender
    put on the wire exactly (SYN, data, FIN, ACKs and any retransmission:
    TCP OutSegs + RetransSegs), and the receiver's at ingress likewise.
    Bytes: each segment's headers are 14 + 20 + 20..40 bytes, and a
    retransmission repeats at most one MSS of payload, so
    payload + 54 x packets <= bytes <= payload + 74 x packets + MSS x retransmissions.
    """
    c = host.add_container()
    features = xgnet.run("ip", "netns", "exec", host.netns, "ethtool", "-k",
                         c.host_if, check=False).stdout
    if "tcp-segmentation-offload: on" not in features:
        pytest.skip("TSO is off on veth here: %s" % features[:200])
    host.xg_ok("attach", c.host_if, "--hook", "tc", *SMALL)
    payload = 2 * 1024 * 1024
    server = subprocess.Popen(
        ["ip", "netns", "exec", c.netns, "/usr/bin/python3", "-c",
         "import socket,sys\n"
         "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
         "s.bind((%r, 5001)); s.listen(1); print('ready', flush=True)\n"
         "c,_=s.accept(); n=0\n"
         "while True:\n"
         "    b=c.recv(1<<20)\n"
         "    if not b: break\n"
         "    n+=len(b)\n"
         "c.close(); print(n, flush=True)\n" % c.ip],
        stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        out0, re0 = tcnet.tcp_segs(host.netns)
        back0, _ = tcnet.tcp_segs(c.netns)
        with xgnet.in_netns(host.netns):
            s = socket.socket()
        s.connect((c.ip, 5001))
        s.sendall(b"g" * payload)
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == b""  # the server closed after reading it all
        s.close()
        assert int(server.stdout.readline()) == payload
        server.wait(timeout=10)
    finally:
        server.kill()
        server.wait()
    time.sleep(0.3)  # the last ACKs
    out1, re1 = tcnet.tcp_segs(host.netns)
    sent, retrans = out1 - out0, re1 - re0
    acks = tcnet.tcp_segs(c.netns)[0] - back0
    eg = host.wait_stats(c.host_if, "egress", sent)
    ing = host.wait_stats(c.host_if, "ingress", acks)
    (pk, by), = rows(eg).values()
    assert list(rows(eg)) == [ipaddress.ip_address(c.ip)]
    assert pk == sent, "egress packets %d, sender's segments %d" % (pk, sent)
    assert pk >= -(-payload // 1448) + 3, pk  # segments, not GSO packets
    assert payload + 54 * pk <= by <= payload + 74 * pk + 1448 * retrans, \
        (payload, pk, by, retrans)
    assert rows(ing)[ipaddress.ip_address(c.ip)][0] == acks


def test_headers_beyond_the_linear_part_are_pulled(host):
    """A raw frame of 5000 bytes sent with AF_PACKET (what scapy's sendp
    uses) leaves with only its Ethernet header in the linear part of the
    skb: the IP header must be pulled in to count it by destination."""
    c = host.add_container()
    for ns, dev in ((host.netns, c.host_if), (c.netns, c.peer_if)):
        xgnet.run("ip", "-n", ns, "link", "set", "dev", dev, "mtu", "9000")
    host.xg_ok("attach", c.host_if, "--hook", "tc", "--direction", "egress", *SMALL)
    frames = [Ether(src=c.host_mac, dst=c.mac) / IP(src=c.host_ip, dst=c.ip) /
              UDP(sport=7, dport=9) / Raw(b"p" * n) for n in (4960, 5000, 100)]
    sock = xgnet.open_l2socket_in_netns(host.netns, c.host_if, conf)
    try:
        sendp(frames, socket=sock, verbose=False)
    finally:
        sock.close()
    eg = host.wait_stats(c.host_if, "egress", 3)
    assert rows(eg) == {ipaddress.ip_address(c.ip): (3, sum(len(bytes(f)) for f in frames))}
    assert all(v["packets"] == 0 for v in eg["parse"].values()), eg["parse"]


PLAN = {"192.0.2.70": [64, 65, 66], "192.0.2.71": [300],
        "2001:db8::70": [100, 100], "2001:db8::71": [333]}


def test_xdp_and_tc_on_one_interface(topo):
    xgcli.xg_ok("attach", topo.gate, "--mode", "native", *SMALL)
    xgcli.xg_ok("attach", topo.gate, "--hook", "tc", "--direction", "ingress", *SMALL)
    pkts = traffic.flows(PLAN)
    topo.send(pkts)
    want = traffic.per_source(PLAN)
    doc = xgcli.wait_every_hook(topo.gate, len(pkts))
    assert sorted((i["hook"], i["direction"]) for i in doc) == [("tc", "ingress"),
                                                               ("xdp", "ingress")]
    assert len({i["prog_id"] for i in doc}) == 2
    for i in doc:
        # The same frames, the same bytes (TC counts the wire length too).
        assert traffic.reported(i) == want, i["hook"]
        assert i["actions"]["pass"] == dict(zip(("packets", "bytes"), traffic.total(pkts)))
    xgcli.xg_ok("detach", topo.gate, "--hook", "tc")
    doc = xgcli.xg_json("stats", topo.gate)["interfaces"]
    assert [i["hook"] for i in doc] == ["xdp"]
    assert os.path.isdir(topo.policy_dir), "the rules went while XDP still runs"
    xgcli.xg_ok("detach", topo.gate, "--hook", "xdp")
    assert not os.path.exists(topo.policy_dir)
    p = xgcli.xg("detach", topo.gate)
    assert p.returncode == 1 and "not attached" in p.stderr


def foreign_seen(prog_id):
    """The foreign program's packet count (its own map, read with bpftool)."""
    prog = json.loads(xgnet.run("bpftool", "-j", "prog", "show", "id", str(prog_id)).stdout)
    (map_id,) = prog["map_ids"]
    dump = json.loads(xgnet.run("bpftool", "-j", "map", "dump", "id", str(map_id)).stdout)
    return int(dump[0]["value"]) if isinstance(dump[0]["value"], int) else \
        int.from_bytes(bytes(int(b, 16) for b in dump[0]["value"]), "little")


def foreign_filters(gate):
    """A foreign filter that is not BPF (matchall, or u32 where the kernel
    has no matchall) and a foreign cls_bpf program that counts what it sees,
    on clsact ingress. Returns (filter lines, foreign prog id)."""
    xgnet.run("tc", "qdisc", "add", "dev", gate, "clsact")
    p = xgnet.run("tc", "filter", "add", "dev", gate, "ingress", "pref", "20",
                  "matchall", "action", "pass", check=False)
    if p.returncode:
        print("SKIP matchall (%s): a u32 filter stands in" % p.stderr.strip())
        xgnet.run("tc", "filter", "add", "dev", gate, "ingress", "pref", "20",
                  "u32", "match", "u32", "0", "0", "flowid", "1:1")
    # Before the other: a matchall or u32 match ends the classification.
    xgnet.run("tc", "filter", "add", "dev", gate, "ingress", "pref", "10", "bpf",
              "da", "obj", xgcli.FOREIGN_TC_OBJ, "sec", "tc")
    lines = [l for l in tcnet_filters(gate) if "xdpgate" not in l]
    prog = [l for l in lines if "foreign_tc" in l][0]
    return lines, int(prog.split(" id ")[1].split()[0])


def tcnet_filters(gate):
    return [l.strip() for l in xgnet.run("tc", "filter", "show", "dev", gate,
                                         "ingress").stdout.splitlines() if l.strip()]


@pytest.mark.parametrize("via", ["tcx", "clsact"])
def test_foreign_filters_and_qdisc_survive_detach(topo, via):
    before, foreign = foreign_filters(topo.gate)
    xgcli.xg_ok("attach", topo.gate, "--hook", "tc", "--tc-via", via, *SMALL)
    pkts = traffic.flows(PLAN)
    topo.send(pkts)
    ing = [i for i in xgcli.xg_json("stats", topo.gate)["interfaces"]
           if i["direction"] == "ingress"][0]
    deadline = time.monotonic() + 5
    while xgcli.total_packets(ing) < len(pkts) and time.monotonic() < deadline:
        time.sleep(0.05)
        ing = [i for i in xgcli.xg_json("stats", topo.gate)["interfaces"]
               if i["direction"] == "ingress"][0]
    assert traffic.reported(ing) == traffic.per_source(PLAN)
    # xdpgate hands every packet on: the program after it saw them all.
    assert foreign_seen(foreign) == len(pkts)
    xgcli.xg_ok("detach", topo.gate, "--hook", "tc")
    after = tcnet_filters(topo.gate)
    assert after == before, (before, after)
    assert "clsact" in xgnet.run("tc", "qdisc", "show", "dev", topo.gate).stdout
    topo.send(pkts)
    time.sleep(0.3)
    assert foreign_seen(foreign) == 2 * len(pkts)


def test_iproute2_tc_filter_read_by_stats(iproute2_tc_pins, topo):
    xgnet.run("tc", "qdisc", "add", "dev", topo.gate, "clsact")
    p = subprocess.run(["tc", "filter", "add", "dev", topo.gate, "ingress", "bpf",
                        "da", "obj", xgcli.TC_OBJ, "sec", "tc"],
                       capture_output=True, text=True)
    assert p.returncode == 0, "tc filter add ... bpf da obj: %s" % p.stderr
    for m in xgcli.MAP_NAMES:
        assert os.path.exists(os.path.join(iproute2_tc_pins, m)), m
    inst = [i for i in xgcli.status(topo.gate)["instances"]]
    assert [(i["hook"], i["direction"], i["via"], i["pin_path"]) for i in inst] == [
        ("tc", "ingress", "clsact", iproute2_tc_pins)]
    pkts = traffic.flows(PLAN)
    topo.send(pkts)
    deadline = time.monotonic() + 5
    while True:
        (ifc,) = xgcli.xg_json("stats", topo.gate)["interfaces"]
        if xgcli.total_packets(ifc) >= len(pkts) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (ifc["hook"], ifc["direction"], ifc["prog_id"]) == ("tc", "ingress", inst[0]["prog_id"])
    assert traffic.reported(ifc) == traffic.per_source(PLAN)
    xgcli.xg_ok("detach", topo.gate)
    assert not [l for l in tcnet_filters(topo.gate) if "bpf" in l]
    assert "clsact" in xgnet.run("tc", "qdisc", "show", "dev", topo.gate).stdout
    left = [m for m in xgcli.MAP_NAMES if os.path.exists(os.path.join(iproute2_tc_pins, m))]
    assert not left, left


def test_containers_counted_per_container(host):
    c1, c2 = host.add_container(), host.add_container()
    for c in (c1, c2):
        p = host.xg_ok("attach", "--netns", c.netns, "--hook", "tc", *SMALL)
        assert c.host_if in p.stdout, p.stdout
    # Again: already attached, nothing to do, not an error.
    p = host.xg_ok("attach", "--netns", c1.netns, "--hook", "tc", *SMALL)
    assert "attached" not in p.stdout, p.stdout
    plan = {c1: ([100, 200], [50]), c2: ([700], [10, 20, 30])}
    sinks = []
    try:
        for c, (up, down) in plan.items():
            sinks += [Sink(c.netns, c.ip), Sink(host.netns, c.host_ip)]
            tcnet.udp_send(c.netns, c.host_ip, up)
            tcnet.udp_send(host.netns, c.ip, down)
        for c, (up, down) in plan.items():
            ing = host.wait_stats(c.host_if, "ingress", len(up))
            eg = host.wait_stats(c.host_if, "egress", len(down))
            assert rows(ing) == expect(c.ip, up), c.netns
            assert rows(eg) == expect(c.ip, down), c.netns
    finally:
        for s in sinks:
            s.close()
    p = host.xg("attach", "--netns", "xgenonexistent", "--hook", "tc")
    assert p.returncode == 1 and "xgenonexistent" in p.stderr
    p = host.xg("attach", "--netns", c1.netns)
    assert p.returncode == 2 and "--hook tc" in p.stderr


def wait_for(what, fn, timeout=60):
    deadline = time.monotonic() + timeout
    while not fn():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.2)


def test_watch_picks_up_a_namespace_made_later(host):
    c = host.add_container(create_netns=False)
    watch = subprocess.Popen(list(host.ns_exec()) + [xgcli.XDPGATE, "watch", "--netns",
                             c.netns], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert "watching" in watch.stdout.readline()
        c.create()

        def attached():
            st = host.xg_json("status", c.host_if)["instances"]
            return len(st) == 2
        wait_for("watch to attach to %s" % c.host_if, attached)
        sink = Sink(host.netns, c.host_ip)
        try:
            tcnet.udp_send(c.netns, c.host_ip, [40, 50])
            ing = host.wait_stats(c.host_if, "ingress", 2)
        finally:
            sink.close()
        assert rows(ing) == expect(c.ip, [40, 50])
        ifdir = xgnet.if_dir(host.cookie, c.ifindex)
        assert os.path.isdir(ifdir)
        xgnet.run("ip", "netns", "del", c.netns)
        c.made = False
        wait_for("watch to remove %s" % ifdir, lambda: not os.path.exists(ifdir))
        watch.terminate()
        out, err = watch.communicate(timeout=20)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    assert watch.returncode == 0, err
    assert "stopped" in out and "went away" in out, out


def test_policy_drop_and_redirect_at_tc(host):
    c1, c2 = host.add_container(), host.add_container()
    for c in (c1, c2):
        host.xg_ok("attach", c.host_if, "--hook", "tc", *SMALL)
    # A rule names the remote end: dropped both ways.
    host.xg_ok("rules", "add", c1.ip + "/32", "drop", "--iface", c1.host_if)
    sink_c, sink_h = Sink(c1.netns, c1.ip), Sink(host.netns, c1.host_ip)
    try:
        tcnet.udp_send(host.netns, c1.ip, [100] * 4)
        tcnet.udp_send(c1.netns, c1.host_ip, [60] * 3)
        eg = host.wait_stats(c1.host_if, "egress", 4)
        ing = host.wait_stats(c1.host_if, "ingress", 3)
        assert (sink_c.count(), sink_h.count()) == (0, 0)
        assert eg["actions"]["drop"]["packets"] == 4
        assert ing["actions"]["drop"]["packets"] == 3
        (row,) = eg["sources"]
        assert (row["source"], row["drops"]) == (c1.ip, 4)
        host.xg_ok("rules", "del", c1.ip + "/32", "--iface", c1.host_if)
        tcnet.udp_send(host.netns, c1.ip, [100])
        host.wait_stats(c1.host_if, "egress", 5)
        time.sleep(0.2)
        assert sink_c.count() == 1
    finally:
        sink_c.close()
        sink_h.close()
    # Redirect at egress: what the host sends to c1 leaves through c2's veth.
    host.xg_ok("rules", "add", c1.ip + "/32", "redirect", c2.host_if, "--iface", c1.host_if)
    sniff_sock = xgnet.open_l2socket_in_netns(c2.netns, c2.peer_if, conf)
    from scapy.all import AsyncSniffer
    sniffer = AsyncSniffer(opened_socket=sniff_sock, store=True)
    sniffer.start()
    time.sleep(0.2)
    tcnet.udp_send(host.netns, c1.ip, [77] * 5)
    time.sleep(0.4)
    got = sniffer.stop() or []
    sniff_sock.close()
    arrived = [f for f in got if f.haslayer(IP) and f[IP].dst == c1.ip]
    assert len(arrived) == 5, [f.summary() for f in got]
    eg = host.wait_stats(c1.host_if, "egress", 10)
    assert eg["actions"]["redirect"]["packets"] == 5


def test_tc_orphan_listed_and_removed(topo):
    """Another tool takes xdpgate's filter off: its directory is an orphan
    that status lists with its hook and detach --orphans removes, with the
    rules beside it."""
    xgcli.xg_ok("attach", topo.gate, "--hook", "tc", "--direction", "ingress",
                "--tc-via", "clsact", *SMALL)
    inst_dir = xgnet.inst_dir(topo.cookie, topo.ifindex, "tc-ingress")
    assert os.path.isdir(inst_dir) and os.path.isdir(topo.policy_dir)
    xgnet.run("tc", "filter", "del", "dev", topo.gate, "ingress")

    def orphans():
        return {o["pin_path"]: o for o in xgcli.status(topo.gate)["orphans"]}
    # The kernel lets go of a deleted filter's program after a grace period.
    wait_for("the orphan", lambda: inst_dir in orphans(), timeout=10)
    o = orphans()[inst_dir]
    assert (o["hook"], o["reason"], o["ifname"]) == ("tc-ingress", "owner_not_running",
                                                    topo.gate)
    assert xgcli.status(topo.gate)["instances"] == []
    p = xgcli.xg_ok("detach", "--orphans", topo.gate)
    assert inst_dir in p.stdout, p.stdout
    assert not os.path.exists(inst_dir) and not os.path.exists(topo.policy_dir)
    assert "clsact" in xgnet.run("tc", "qdisc", "show", "dev", topo.gate).stdout


@pytest.mark.parametrize("via", ["tcx", "clsact"])
def test_tc_replace_keeps_counters(topo, via):
    xgcli.xg_ok("attach", topo.gate, "--hook", "tc", "--direction", "ingress",
                "--tc-via", via, *SMALL)

    def ingress():
        (i,) = xgcli.xg_json("stats", topo.gate)["interfaces"]
        return i

    def wait(n):
        deadline = time.monotonic() + 5
        while xgcli.total_packets(ingress()) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return ingress()
    pkts = traffic.flows(PLAN)
    topo.send(pkts)
    old = wait(len(pkts))
    p = xgcli.xg("attach", topo.gate, "--hook", "tc", "--direction", "ingress", *SMALL)
    assert p.returncode == 1 and "already attached" in p.stderr, p.stderr
    other = "clsact" if via == "tcx" else "tcx"
    p = xgcli.xg("attach", topo.gate, "--hook", "tc", "--direction", "ingress",
                 "--tc-via", other, "--replace")
    assert p.returncode == 1 and "cannot be atomic" in p.stderr, p.stderr
    p = xgcli.xg_ok("attach", topo.gate, "--hook", "tc", "--direction", "ingress",
                    "--replace")
    assert "replaced" in p.stdout and "maps kept" in p.stdout, p.stdout
    new = ingress()
    assert new["prog_id"] != old["prog_id"] and new["via"] == via
    (inst,) = xgcli.status(topo.gate)["instances"]
    assert inst["owner"]["prog_id"] == new["prog_id"]
    assert traffic.reported(new) == traffic.per_source(PLAN)
    topo.send(pkts)
    twice = traffic.add(traffic.per_source(PLAN), traffic.per_source(PLAN))
    assert traffic.reported(wait(2 * len(pkts))) == twice
    if via == "clsact":
        assert len([l for l in tcnet_filters(topo.gate) if "xdpgate_ingress" in l]) == 1
