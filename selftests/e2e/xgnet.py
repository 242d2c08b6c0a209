"""Test topology for the end-to-end tests: a veth pair whose "gate" end stays
in the root network namespace (where xdpgate runs and where bpffs is
mounted) and whose "sender" end lives in a private namespace.

Why the gate stays in the root namespace: `ip netns exec` mounts a fresh
sysfs over /sys, which hides /sys/fs/bpf, so pins made there would land on a
private bpffs that vanishes with the command and that the next command
cannot see. Keeping the gate in the root namespace tests what users run.

Names: "xge" + owner pid (5 base-36 digits) + role + counter, e.g.
"xge00abcg01", optionally followed by more bytes (the interface-name tests
add non-ASCII ones). The owner pid lets the sweeper remove leftovers of
dead runs without touching a parallel run that is still alive.

Pins live in PIN_ROOT/ns<netns cookie>/if<ifindex>/<hook>; a test's pins
are found by its interfaces' ifindexes, and leftovers of dead runs by the
interface name in their owner record.
"""
import contextlib
import ctypes
import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import itertools

PREFIX = "xge"
PIN_ROOT = "/sys/fs/bpf/xdpgate"
IPROUTE2_PIN_DIR = "/sys/fs/bpf/xdp/globals"
NETNS_DIR = "/run/netns"
NAME_RE = re.compile(r"^xge([0-9a-z]{5})[gsnu][0-9a-z]{2}")
CLONE_NEWNET = 0x40000000
SO_NETNS_COOKIE = 71
LOCK_FILE = "/run/xdpgate.lock"  # what xdpgate itself takes

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


def netns_cookie():
    """The calling thread's network namespace cookie, as xdpgate names it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        return int.from_bytes(s.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8),
                              "little")


def netns_cookie_of(netns):
    """The cookie of a named namespace (/run/netns/NAME)."""
    with in_netns(netns):
        return netns_cookie()


def if_dir(cookie, ifindex):
    return os.path.join(PIN_ROOT, "ns%d" % cookie, "if%d" % ifindex)


def inst_dir(cookie, ifindex, hook="xdp"):
    return os.path.join(if_dir(cookie, ifindex), hook)


@contextlib.contextmanager
def xdpgate_lock():
    """Hold xdpgate's own lock, as a loader changing pins does."""
    with open(LOCK_FILE, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def remove_if_dir(path):
    """Remove a test's ns*/if* pin directory and the parents it leaves
    empty, under xdpgate's lock so no loader is creating them meanwhile.
    """
    with xdpgate_lock():
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        parent = os.path.dirname(path)
        for d in (parent, PIN_ROOT):
            try:
                os.rmdir(d)
            except OSError:
                break


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
        self.cookie = netns_cookie()
        self.if_dirs = []
        self._make_pair()
        return self

    def _make_pair(self):
        run("ip", "link", "add", self.gate, "type", "veth", "peer", "name",
            self.sender, "netns", self.netns)
        for key in ("disable_ipv6=1", "accept_dad=0", "addr_gen_mode=1"):
            run("sysctl", "-qw", "net.ipv6.conf.%s.%s" % (self.gate, key))
        run("ip", "link", "set", "dev", self.gate, "up")
        run("ip", "-n", self.netns, "link", "set", "dev", self.sender, "up")
        self.ifindex = int(open("/sys/class/net/%s/ifindex" % self.gate).read())
        self.pin_dir = inst_dir(self.cookie, self.ifindex)
        self.policy_dir = os.path.join(if_dir(self.cookie, self.ifindex), "policy")
        self.if_dirs.append(if_dir(self.cookie, self.ifindex))

    def recreate_gate(self):
        """Delete the gate and make it again (same name, new ifindex)."""
        run("ip", "link", "del", "dev", self.gate)
        self._make_pair()

    def teardown(self):
        """Remove everything, whatever state a test left behind."""
        errors = []
        # Pins first, while the ifindexes are still this test's.
        for d in getattr(self, "if_dirs", []):
            remove_if_dir(d)
        if link_exists(self.gate):
            # Deleting the link also removes its peer and any XDP program.
            p = run("ip", "link", "del", "dev", self.gate, check=False)
            if p.returncode:
                errors.append(p.stderr.strip())
        if self.created:
            p = run("ip", "netns", "del", self.netns, check=False)
            if p.returncode and os.path.exists(os.path.join(NETNS_DIR, self.netns)):
                errors.append(p.stderr.strip())
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


@contextlib.contextmanager
def in_netns(netns):
    """Run the block in a named network namespace (this thread only)."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


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


def policy_dir(ifindex):
    return os.path.join(PIN_ROOT, "ns%d" % netns_cookie(), "if%d" % ifindex,
                        "policy")


def remove_pin_dir(path):
    """bpffs allows unlink and rmdir, so rmtree removes pins and the dir."""
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


def owner_ifname(inst):
    """The interface name in an instance directory's owner record, or None
    (read with bpftool, independent of xdpgate).
    """
    p = subprocess.run(["bpftool", "-j", "map", "dump", "pinned",
                        os.path.join(inst, "xg_owner")],
                       capture_output=True, text=True)
    if p.returncode:
        return None
    try:
        value = json.loads(p.stdout)[0]["value"]
        raw = bytes(int(b, 16) for b in value)[48:64]
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    return raw.split(b"\0")[0].decode("utf-8", "surrogateescape")


def _if_dirs_by_owner():
    """{ifname recorded: [ns*/if* dir, ...]} over every instance directory."""
    found = {}
    if not os.path.isdir(PIN_ROOT):
        return found
    for ns in os.listdir(PIN_ROOT):
        nsdir = os.path.join(PIN_ROOT, ns)
        if not ns.startswith("ns") or not os.path.isdir(nsdir):
            continue
        for ifd in os.listdir(nsdir):
            path = os.path.join(nsdir, ifd)
            for hook in ("xdp", "tc-ingress", "tc-egress"):
                name = owner_ifname(os.path.join(path, hook))
                if name:
                    found.setdefault(name, []).append(path)
    return found


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
            if stale(name):  # the layout before ns*/if*
                remove_pin_dir(os.path.join(PIN_ROOT, name))
                removed.append("pins " + name)
    for name, dirs in sorted(_if_dirs_by_owner().items()):
        if stale(name):
            for d in dirs:
                remove_if_dir(d)
                removed.append("pins %s (%s)" % (d, name))
    return removed
