"""`make demo`, the README's first command, runs and shows exact counts.

The demo sends 2*(7-rank) packets from each of its 7 sources (14 from the
first down to 2 from the last), so the table must list them in that order
with those counts, and the demo must leave nothing behind.
"""
import os
import re
import subprocess

import xgcli

EXPECTED = [("192.0.2.1", 14), ("192.0.2.2", 12), ("192.0.2.3", 10),
            ("198.51.100.7", 8), ("2001:db8::1", 6), ("2001:db8::2", 4),
            ("2001:db8:beef::42", 2)]


def test_demo_prints_exact_table_and_cleans_up():
    script = os.path.join(xgcli.REPO, "scripts", "demo.sh")
    p = subprocess.run([script], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, XDPGATE=xgcli.XDPGATE))
    assert p.returncode == 0, "demo exited %d\n%s\n%s" % (p.returncode, p.stdout, p.stderr)
    assert "sent 56 packets" in p.stdout

    rows = re.findall(r"^\s+([0-9a-f.:]+)\s+(\d+)\s+\d+ B\s", p.stdout, re.M)
    assert [(a, int(n)) for a, n in rows] == EXPECTED, p.stdout
    assert re.search(r"^\s+pass\s+56\s", p.stdout, re.M), p.stdout
    assert "parse outcomes: none" in p.stdout

    gate = re.search(r"attaching xdpgate to (xgdemo\d+g)", p.stdout).group(1)
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True,
                           text=True, check=True).stdout
    assert gate not in links
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True, check=True).stdout
    assert gate[:-1] not in netns.split()
    assert not os.path.exists("/sys/fs/bpf/xdpgate/" + gate)
