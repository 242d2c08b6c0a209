"""Topologies for the TC tests, where traffic must be generated locally.

A test-made "host" network namespace stands in for the machine, so what
its stack sends (which XDP cannot see and TC egress must count) is only
what the test sends, whatever else runs on the real host. Containers are
more namespaces joined to it by veth pairs, the host side in the host
namespace, as a container runtime makes them. xdpgate runs in the host
namespace through `nsenter --net` (the root mount namespace, so pins land
on the shared bpffs), as the README tells users to run it.

Addresses: 10.<a>.<c>.1 on the host side of container c, 10.<a>.<c>.2
inside, with <a> from the test's pid so two runs never share a subnet
(each lives in its own namespaces anyway). IPv6 stays off everywhere, and
neighbours are permanent, so the kernels send nothing the test did not
ask for (no ARP, no router solicitations).
"""
import json
import os
import shutil
import subprocess
import time

import xgcli
import xgnet


def _sysctl_off(netns):
    xgnet.run("ip", "netns", "exec", netns, "sysctl", "-qw",
              "net.ipv6.conf.all.disable_ipv6=1",
              "net.ipv6.conf.default.disable_ipv6=1")


class Host:
    """A host namespace and its containers."""

    def __init__(self):
        _, _, self.netns = xgnet.new_names()
        self.containers = []
        self.made = False
        self.a = os.getpid() % 200 + 20

    def setup(self):
        xgnet.run("ip", "netns", "add", self.netns)
        self.made = True
        _sysctl_off(self.netns)
        xgnet.run("ip", "-n", self.netns, "link", "set", "lo", "up")
        self.cookie = xgnet.netns_cookie_of(self.netns)
        return self

    def ns_exec(self):
        return ("nsenter", "--net=/run/netns/" + self.netns)

    def xg(self, *args, timeout=60):
        return xgcli.xg(*args, prefix=self.ns_exec(), timeout=timeout)

    def xg_ok(self, *args, timeout=60):
        p = self.xg(*args, timeout=timeout)
        assert p.returncode == 0, "xdpgate %s: %d\n%s%s" % (
            " ".join(map(str, args)), p.returncode, p.stdout, p.stderr)
        return p

    def xg_json(self, *args):
        return json.loads(self.xg_ok(*args, "--json").stdout)

    def add_container(self, create_netns=True):
        """A container: its namespace and a veth pair (host side here)."""
        c = Container(self, len(self.containers) + 1, create_netns)
        self.containers.append(c)
        return c

    def stats(self, ifname, direction):
        """The stats entry of ifname's TC hook in that direction."""
        doc = self.xg_json("stats", ifname)
        found = [i for i in doc["interfaces"]
                 if i["ifname"] == ifname and i["hook"] == "tc"
                 and i["direction"] == direction]
        assert len(found) == 1, (ifname, direction, doc)
        return found[0]

    def wait_stats(self, ifname, direction, npackets, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            ifc = self.stats(ifname, direction)
            if xgcli.total_packets(ifc) >= npackets or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(0.1)
        return self.stats(ifname, direction)

    def teardown(self):
        errors = []
        for c in self.containers:
            errors += c.teardown()
        if self.made:
            # Its interfaces go with it; their pins are this test's alone
            # (the directory is named after this namespace's cookie).
            with xgnet.xdpgate_lock():
                path = os.path.join(xgnet.PIN_ROOT, "ns%d" % self.cookie)
                shutil.rmtree(path, ignore_errors=True)
                try:
                    os.rmdir(xgnet.PIN_ROOT)
                except OSError:
                    pass
            p = xgnet.run("ip", "netns", "del", self.netns, check=False)
            if p.returncode:
                errors.append(p.stderr.strip())
        assert not errors, errors


class Container:
    def __init__(self, host, n, create_netns):
        self.host = host
        self.n = n
        self.host_if, self.peer_if, self.netns = xgnet.new_names()
        self.made = False
        self.host_ip = "10.%d.%d.1" % (host.a, n)
        self.ip = "10.%d.%d.2" % (host.a, n)
        if create_netns:
            self.create()

    def create(self):
        """Namespace, veth pair with its peer inside, addresses, and
        permanent neighbours both ways."""
        h = self.host.netns
        xgnet.run("ip", "netns", "add", self.netns)
        self.made = True
        _sysctl_off(self.netns)
        xgnet.run("ip", "-n", h, "link", "add", self.host_if, "type", "veth",
                  "peer", "name", self.peer_if, "netns", self.netns)
        xgnet.run("ip", "-n", h, "addr", "add", self.host_ip + "/24", "dev", self.host_if)
        xgnet.run("ip", "-n", self.netns, "addr", "add", self.ip + "/24", "dev",
                  self.peer_if)
        for ns, dev in ((h, self.host_if), (self.netns, self.peer_if)):
            xgnet.run("ip", "-n", ns, "link", "set", "dev", dev, "up")
        self.host_mac = self._mac(h, self.host_if)
        self.mac = self._mac(self.netns, self.peer_if)
        xgnet.run("ip", "-n", h, "neigh", "replace", self.ip, "lladdr", self.mac,
                  "dev", self.host_if, "nud", "permanent")
        xgnet.run("ip", "-n", self.netns, "neigh", "replace", self.host_ip,
                  "lladdr", self.host_mac, "dev", self.peer_if, "nud", "permanent")
        self.ifindex = json.loads(xgnet.run(
            "ip", "-n", h, "-j", "link", "show", self.host_if).stdout)[0]["ifindex"]
        return self

    @staticmethod
    def _mac(netns, dev):
        return json.loads(xgnet.run("ip", "-n", netns, "-j", "link", "show",
                                    dev).stdout)[0]["address"]

    def teardown(self):
        if self.made:
            p = xgnet.run("ip", "netns", "del", self.netns, check=False)
            if p.returncode and os.path.exists(os.path.join(xgnet.NETNS_DIR, self.netns)):
                return [p.stderr.strip()]
        return []


def udp_send(netns, dst, sizes, port=9):
    """Send one UDP datagram per payload size from inside netns."""
    import socket
    with xgnet.in_netns(netns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for n in sizes:
            s.sendto(b"u" * n, (dst, port))
    finally:
        s.close()


def udp_frame_bytes(payload):
    """An IPv4/UDP datagram's frame on the wire (no FCS)."""
    return 14 + 20 + 8 + payload


def snmp(netns, proto, field):
    """A counter of /proc/net/snmp in netns (e.g. Tcp OutSegs)."""
    out = xgnet.run("ip", "netns", "exec", netns, "cat", "/proc/net/snmp").stdout
    lines = [l.split() for l in out.splitlines() if l.startswith(proto + ":")]
    head, vals = lines[0], lines[1]
    return int(vals[head.index(field)])


def tcp_segs(netns):
    """(segments on the wire, of them retransmitted) TCP sent in netns so
    far: OutSegs leaves out segments that carry only retransmitted data
    (__tcp_transmit_skb), which RetransSegs counts; a loaded machine
    retransmits.
    """
    retrans = snmp(netns, "Tcp", "RetransSegs")
    return snmp(netns, "Tcp", "OutSegs") + retrans, retrans


def tc_filters(netns, dev, direction):
    """`tc filter show` lines (stripped) of a clsact hook."""
    p = subprocess.run(["ip", "netns", "exec", netns, "tc", "filter", "show",
                        "dev", dev, direction], capture_output=True, text=True)
    return [l.strip() for l in p.stdout.splitlines() if l.strip()]


def qdiscs(netns, dev):
    return xgnet.run("ip", "netns", "exec", netns, "tc", "qdisc", "show", "dev",
                     dev).stdout
