"""Cgroups and socket traffic for the socket-layer end-to-end tests.

Cgroups live under a test-owned parent in the v2 hierarchy named like the
suite's links, "xge" + owner pid (5 base-36 digits) + role + counter, so a
sweeper can remove those of dead runs. Traffic runs in forked processes
that join their cgroup before creating a socket (a socket belongs to the
cgroup its creator was in) and report what their own send and receive
calls returned.
"""
import json
import os
import socket
import struct

import xgnet

CG_LAYER_LOCK = "/run/xdpgate-e2e-cgroups.lock"
CG_PIN_DIR = xgnet.PIN_ROOT + "/cgroup"


def v2_root():
    for path in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
        if os.path.exists(os.path.join(path, "cgroup.controllers")):
            return path
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            if " - cgroup2 " in line and parts[3] == "/":
                return parts[4]
    return None


def cgroup_id(path):
    return os.stat(path).st_ino


class CgroupSet:
    """A parent xge<pid>c<n> with children made on demand."""

    def __init__(self):
        base, _, _ = xgnet.new_names()
        self.tag = base[:8]
        self.path = os.path.join(v2_root(), self.tag + "c" + base[-2:])
        os.mkdir(self.path)
        self.children = []

    def child(self, name):
        path = os.path.join(self.path, name)
        os.mkdir(path)
        self.children.append(path)
        return path

    def remove(self, path):
        kill_all(path)
        os.rmdir(path)
        self.children.remove(path)

    def teardown(self):
        for path in list(self.children):
            if os.path.isdir(path):
                kill_all(path)
                os.rmdir(path)
        if os.path.isdir(self.path):
            os.rmdir(self.path)


def kill_all(path):
    kill = os.path.join(path, "cgroup.kill")
    if os.path.exists(kill):
        with open(kill, "w") as f:
            f.write("1")


def sweep():
    """Remove xge*c* cgroup trees of dead runs."""
    root = v2_root()
    removed = []
    if not root:
        return removed
    for name in os.listdir(root):
        if not (name.startswith(xgnet.PREFIX) and len(name) == 11 and name[8] == "c"):
            continue
        pid = int(name[3:8], 36)
        if pid == os.getpid() or xgnet._pid_alive(pid):
            continue
        path = os.path.join(root, name)
        for child in os.listdir(path):
            cp = os.path.join(path, child)
            if os.path.isdir(cp):
                kill_all(cp)
                os.rmdir(cp)
        os.rmdir(path)
        removed.append("cgroup " + name)
    return removed


def _join(cg):
    with open(os.path.join(cg, "cgroup.procs"), "w") as f:
        f.write("0")


def _child(cg, fn, out):
    """Fork: join cg, run fn, send its result (a dict) on out."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _join(cg)
            res = fn()
        except Exception as e:  # reported to the parent, which fails the test
            res, code = {"error": repr(e)}, 1
        os.write(out, json.dumps(res).encode() + b"\n")
        os._exit(code)
    return pid


LOOP = {socket.AF_INET: "127.0.0.1", socket.AF_INET6: "::1"}


def flow(proto, family, cg_a, cg_b, a_count, a_size, b_count, b_size):
    """A (in cg_a) sends a_count * a_size bytes to B (in cg_b), B answers
    with b_count * b_size. UDP: one datagram per call. Returns the two
    sides' counts: {"tx_calls", "tx_bytes", "rx_calls", "rx_bytes"}.
    """
    stype = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    port_r, port_w = os.pipe()
    res_r, res_w = os.pipe()

    def count():
        return {"tx_calls": 0, "tx_bytes": 0, "rx_calls": 0, "rx_bytes": 0}

    def send(s, c, n, size):
        if stype == socket.SOCK_DGRAM:
            for _ in range(n):
                c["tx_bytes"] += s.send(b"\xa5" * size)
                c["tx_calls"] += 1
            return
        left = n * size
        while left:
            k = s.send(b"\xa5" * min(left, size))
            c["tx_calls"] += 1
            c["tx_bytes"] += k
            left -= k

    def recv(s, c, n, size, eof):
        if stype == socket.SOCK_DGRAM:
            for _ in range(n):
                c["rx_bytes"] += len(s.recv(65536))
                c["rx_calls"] += 1
            return
        want, got = n * size, 0
        while got < want or eof:
            d = s.recv(65536)
            c["rx_calls"] += 1
            c["rx_bytes"] += len(d)
            got += len(d)
            if not d:
                break

    def server():
        c = count()
        s = socket.socket(family, stype)
        s.settimeout(5)
        s.bind((LOOP[family], 0))
        if stype == socket.SOCK_STREAM:
            s.listen(1)
        os.write(port_w, struct.pack("H", s.getsockname()[1]))
        if stype == socket.SOCK_STREAM:
            conn, _ = s.accept()
            conn.settimeout(5)
            recv(conn, c, a_count, a_size, False)
            send(conn, c, b_count, b_size)
            conn.close()
        else:
            d, peer = s.recvfrom(65536)
            c["rx_calls"] += 1
            c["rx_bytes"] += len(d)
            s.connect(peer)
            recv(s, c, a_count - 1, a_size, False)
            send(s, c, b_count, b_size)
        s.close()
        c["role"] = "b"
        return c

    def client(port):
        c = count()
        s = socket.socket(family, stype)
        s.settimeout(5)
        s.connect((LOOP[family], port))
        send(s, c, a_count, a_size)
        recv(s, c, b_count, b_size, True)
        s.close()
        c["role"] = "a"
        return c

    pb = _child(cg_b, server, res_w)
    port = struct.unpack("H", os.read(port_r, 2))[0]
    pa = _child(cg_a, lambda: client(port), res_w)
    results = []
    with os.fdopen(res_r) as f:
        os.close(res_w)
        for _ in range(2):
            results.append(json.loads(f.readline()))
    os.close(port_r)
    os.close(port_w)
    for pid in (pa, pb):
        _, status = os.waitpid(pid, 0)
        assert status == 0, "traffic process failed: %s" % results
    a = next(r for r in results if r.get("role") == "a")
    b = next(r for r in results if r.get("role") == "b")
    return a, b
