"""`xdpgate top` driven in tmux (80x24): it shows the expected rows while
traffic flows, changes the sort on a key, switches views, and quits on q
and on Ctrl-C with the terminal restored (alternate screen left, exit 0).
"""
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

import traffic
import xgcli
import xgnet
from xgcli import xg

# Many small packets (the most packets per second) and few large ones (the
# most bits per second) per round.
SMALL = "192.0.2.50"
LARGE = "192.0.2.51"
QUIET = "2001:db8:5::1"


class Tmux:
    """A private tmux server (own socket) running one command in 80x24."""

    def __init__(self, cmd):
        self.sock = "xgtop%d" % os.getpid()
        # The exit status through a file: tmux may see the pane's end
        # (the pty closing) without ever reporting the status. The shell
        # ignores Ctrl-C (top sets its own handler) so that it lives to
        # write it.
        fd, self.status_file = tempfile.mkstemp(prefix="xgtop.")
        os.close(fd)
        wrap = ["sh", "-c", 'trap "" INT; "$@"; echo $? > "$0"', self.status_file] + cmd
        self.tmux(["new-session", "-d", "-x", "80", "-y", "24", "-s", "top"] + wrap)
        self.tmux(["set-option", "-t", "top", "remain-on-exit", "on"])

    def tmux(self, args):
        return subprocess.run(["tmux", "-L", self.sock] + args, capture_output=True,
                              text=True, timeout=10, check=True).stdout

    def screen(self):
        return self.tmux(["capture-pane", "-p", "-t", "top"])

    def keys(self, *k):
        self.tmux(["send-keys", "-t", "top"] + list(k))

    def pane(self, fmt):
        return self.tmux(["display-message", "-p", "-t", "top", fmt]).strip()

    def wait(self, pred, what, timeout=20):
        deadline = time.monotonic() + timeout
        s = ""
        while time.monotonic() < deadline:
            s = self.screen()
            if pred(s):
                return s
            time.sleep(0.2)
        raise AssertionError("%s: never on screen:\n%s" % (what, s))

    def wait_dead(self, timeout=10):
        """top's exit status (a signal reads as 128 + its number)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.status_file) as f:
                st = f.read().strip()
            if st:
                return int(st)
            time.sleep(0.1)
        raise AssertionError("top did not exit:\n" + self.screen())

    def kill(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)
        os.unlink(self.status_file)


@pytest.fixture
def flowing(attached):
    """attached, with SMALL, LARGE and QUIET sending until the test ends."""
    from scapy.all import conf
    stop = threading.Event()
    rnd = (traffic.flows({SMALL: [64] * 20}) + traffic.flows({LARGE: [1400] * 2}) +
           traffic.flows({QUIET: [100]}))
    sock = xgnet.open_l2socket_in_netns(attached.netns, attached.sender, conf)

    def send():
        while not stop.is_set():
            for p in rnd:
                sock.send(p)
            stop.wait(0.05)
    t = threading.Thread(target=send)
    t.start()
    try:
        yield attached
    finally:
        stop.set()
        t.join()
        sock.close()


def rows(screen):
    """Source addresses in screen order (first word of the table's lines)."""
    out = []
    for line in screen.splitlines()[4:]:
        w = line.split()
        if w and w[0] in (SMALL, LARGE, QUIET):
            out.append(w[0])
    return out


@pytest.fixture
def tmux_ok():
    if not shutil.which("tmux"):
        pytest.skip("SKIP: tmux is not installed (scripts/deps.sh installs it)")


def test_top_rows_sort_views_and_quit(tmux_ok, flowing):
    gate = flowing.gate
    tm = Tmux([xgcli.XDPGATE, "top", "--interval", "0.5", gate])
    try:
        s = tm.wait(lambda s: len(rows(s)) == 3, "three sources")
        assert "sources by pps" in s.splitlines()[0]
        assert rows(s)[0] == SMALL, s
        for line in s.splitlines():
            if line.startswith(SMALL):
                assert gate in line and float(line.split()[2].rstrip("k")) > 0, line
        assert all(len(line) <= 80 for line in s.splitlines())
        tm.keys("b")
        s = tm.wait(lambda s: "sources by bps" in s and rows(s)[:1] == [LARGE], "bps sort")
        tm.keys("p")
        tm.wait(lambda s: "sources by pps" in s and rows(s)[:1] == [SMALL], "pps sort")
        tm.keys("i")
        s = tm.wait(lambda s: "interfaces by pps" in s and
                    any(line.startswith(gate) for line in s.splitlines()), "interfaces view")
        line = next(line for line in s.splitlines() if line.startswith(gate))
        assert "xdp/ingress" in line, line
        assert line.split()[-1] == "3", line  # SOURCES
        tm.keys("q")
        assert tm.wait_dead() == 0
        assert tm.pane("#{alternate_on}") == "0"  # the terminal is back
    finally:
        tm.kill()


def test_top_ctrl_c(tmux_ok, flowing):
    tm = Tmux([xgcli.XDPGATE, "top", "--sort", "bps", flowing.gate])
    try:
        tm.wait(lambda s: "sources by bps" in s, "top")
        tm.keys("C-c")
        assert tm.wait_dead() == 0
        assert tm.pane("#{alternate_on}") == "0"
    finally:
        tm.kill()


def test_top_errors(topo):
    # Not a terminal, bad options, an interface without xdpgate.
    p = xg("top", topo.gate)
    assert p.returncode == 1 and "terminal" in p.stderr, p.stderr
    for args in (("--interval", "0"), ("--sort", "x"), ("--bogus",)):
        p = xg("top", *args)
        assert p.returncode == 2 and "usage:" in p.stderr, (args, p.stderr)
