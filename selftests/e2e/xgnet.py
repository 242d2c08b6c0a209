"""Test topology for the end-to-end tests: a veth pair whose "gate" end stays
in the root network namespace (where xdpgate runs and where bpffs is
mounted) and whose "sender" end lives in a private namespace.

Why the gate stays in the root namespace: `ip netns exec` mounts a fresh
sysfs over /sys, which hides /sys/fs/bpf, so pins made there would land on a
private bpffs that vanishes with the command and that the next command
cannot see. Keeping the gate in the root namespace tests what users run.

Names: "xge" + owner pid (5 base-36 digits) + role + counter, e.g.
"xge00abcg01". The owner pid lets the sweeper remove leftovers of dead runs
without touching a parallel run that is still alive.
"""
import ctypes
import os
import re
import shutil
import subprocess
import itertools

PREFIX = "xge"
PIN_ROOT = "/sys/fs/bpf/xdpgate"
IPROUTE2_PIN_DIR = "/sys/fs/bpf/xdp/globals"
NETNS_DIR = "/run/netns"
NAME_RE = re.compile(r"^xge([0-9a-z]{5})[gsn][0-9a-z]{2}$")
CLONE_NEWNET = 0x40000000

_counter = itertools.count(1)
_libc = ctypes.CDLL(None, use_errno=True)


def _b36(n, width):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(width, "0")[-width:]


def new_names():
    """Names for one topology: gate link, sender link, namespace."""
    base = PREFIX + _b36(os.getpid(), 5)
    n = _b36(next(_counter), 2)
    return base + "g" + n, base + "s" + n, base + "n" + n


def run(*cmd, check=True, timeout=30):
    """Run a helper command (ip, sysctl); raise with its stderr on failure."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode,
                                                   p.stderr.strip()))
    return p


def link_exists(ifname):
    return os.path.exists("/sys/class/net/" + ifname)


class Topology:
    """gate (root ns) <-veth-> sender (netns). No addresses anywhere and IPv6
    disabled on both ends, so the kernel itself sends nothing into the gate
    and every packet XDP sees was sent by the test.
    """

    def __init__(self):
        self.gate, self.sender, self.netns = new_names()
        self.created = False

    def setup(self):
        run("ip", "netns", "add", self.netns)
        self.created = True
        # Before the sender link exists, so it is born with IPv6 off.
        run("ip", "netns", "exec", self.netns, "sysctl", "-qw",
            "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1")
        run("ip", "link", "add", self.gate, "type", "veth", "peer", "name",
            self.sender, "netns", self.netns)
        for key in ("disable_ipv6=1", "accept_dad=0", "addr_gen_mode=1"):
            run("sysctl", "-qw", "net.ipv6.conf.%s.%s" % (self.gate, key))
        run("ip", "link", "set", "dev", self.gate, "up")
        run("ip", "-n", self.netns, "link", "set", "dev", self.sender, "up")
        self.ifindex = int(open("/sys/class/net/%s/ifindex" % self.gate).read())
        self.pin_dir = os.path.join(PIN_ROOT, self.gate)
        self.policy_dir = policy_dir(self.ifindex)
        return self

    def teardown(self):
        """Remove everything, whatever state a test left behind."""
        errors = []
        if link_exists(self.gate):
            # Deleting the link also removes its peer and any XDP program.
            p = run("ip", "link", "del", "dev", self.gate, check=False)
            if p.returncode:
                errors.append(p.stderr.strip())
        if self.created:
            p = run("ip", "netns", "del", self.netns, check=False)
            if p.returncode and os.path.exists(os.path.join(NETNS_DIR, self.netns)):
                errors.append(p.stderr.strip())
        remove_pin_dir(os.path.join(PIN_ROOT, self.gate))
        if getattr(self, "policy_dir", None):
            remove_pin_dir(self.policy_dir)
            for d in (os.path.dirname(self.policy_dir),
                      os.path.dirname(os.path.dirname(self.policy_dir))):
                try:
                    os.rmdir(d)  # only when empty: others may share them
                except OSError:
                    pass
        if errors:
            raise RuntimeError("teardown of %s: %s" % (self.gate, "; ".join(errors)))

    def send(self, packets):
        """Send scapy packets out of the sender end, in one sendp call."""
        from scapy.all import conf, sendp
        sock = open_l2socket_in_netns(self.netns, self.sender, conf)
        try:
            sendp(packets, socket=sock, verbose=False)
        finally:
            sock.close()


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def open_l2socket_in_netns(netns, ifname, conf):
    """A socket keeps the namespace it was created in, so create scapy's L2
    socket inside the sender's namespace and switch this thread back: the
    test process itself never leaves the root namespace for longer than that.
    """
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)
    try:
        _setns(target)
        try:
            return conf.L2socket(iface=ifname)
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def netns_cookie():
    """SO_NETNS_COOKIE of this (the root) namespace, as the loader names
    its pin directories."""
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        return int.from_bytes(s.getsockopt(socket.SOL_SOCKET, 71, 8), "little")


def policy_dir(ifindex):
    return os.path.join(PIN_ROOT, "ns%d" % netns_cookie(), "if%d" % ifindex,
                        "policy")


def remove_pin_dir(path):
    """bpffs allows unlink and rmdir, so rmtree removes pins and the dir."""
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(include_own):
    """Remove xge* leftovers (namespaces, links, pin dirs) whose owning run
    is gone; with include_own, also this process's. Returns what it removed.
    """
    removed = []

    def stale(name):
        m = NAME_RE.match(name)
        if not m:
            return False  # not named by this suite: never touch it
        pid = int(m.group(1), 36)
        if pid == os.getpid():
            return include_own
        return not _pid_alive(pid)

    for name in sorted(os.listdir("/sys/class/net")):
        if stale(name):
            run("ip", "link", "del", "dev", name, check=False)
            removed.append("link " + name)
    if os.path.isdir(NETNS_DIR):
        for name in sorted(os.listdir(NETNS_DIR)):
            if stale(name):
                run("ip", "netns", "del", name, check=False)
                removed.append("netns " + name)
    if os.path.isdir(PIN_ROOT):
        for name in sorted(os.listdir(PIN_ROOT)):
            if stale(name):
                remove_pin_dir(os.path.join(PIN_ROOT, name))
                removed.append("pins " + name)
    return removed
