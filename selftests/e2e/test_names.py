"""Interface names as the kernel allows them: bytes >= 0x80 (UTF-8 or not)
and shell metacharacters work in every command; JSON stays valid UTF-8
(invalid bytes become U+FFFD); tables align by characters and show
invalid bytes as \\xNN; too long and empty names get one usage error.
"""
import json
import re
import subprocess
import time

import pytest

import traffic
import xgcli
import xgnet

# Suffixes to the 11-character test names (at most 15 bytes in all).
SUFFIXES = {
    "utf8": "é",            # 2 bytes, valid UTF-8
    "latin1": "\udce9",     # the single byte 0xe9: not UTF-8
    "shell": "'$;",         # shell metacharacters
}


@pytest.fixture(params=sorted(SUFFIXES))
def named_topo(request):
    t = xgnet.Topology()
    t.gate = t.gate + SUFFIXES[request.param]
    try:
        t.setup()
        yield t
    finally:
        t.teardown()


def raw(*args):
    """xdpgate with bytes out: the test decodes them itself, strictly."""
    argv = [xgcli.XDPGATE] + [a.encode("utf-8", "surrogateescape") for a in args]
    return subprocess.run(argv, capture_output=True, timeout=30)


def shown_in_json(name):
    b = name.encode("utf-8", "surrogateescape")
    return b.decode("utf-8", "replace")


def shown_in_table(name):
    out = ""
    for ch in name:
        if 0xdc80 <= ord(ch) <= 0xdcff:
            out += "\\x%02x" % (ord(ch) - 0xdc00)
        else:
            out += ch
    return out


def test_names_work_everywhere(named_topo):
    t = named_topo
    p = raw("attach", t.gate, "--max-sources", "64")
    assert p.returncode == 0, p.stderr
    pkts = traffic.flows({"192.0.2.95": [64, 66]})
    t.send(pkts)

    for cmd in (("status", "--json", t.gate), ("stats", "--json", t.gate)):
        p = raw(*cmd)
        assert p.returncode == 0, p.stderr
        doc = json.loads(p.stdout.decode("utf-8"))  # strict: invalid UTF-8 raises
        entries = doc.get("instances", doc.get("interfaces"))
        assert [e["ifname"] for e in entries] == [shown_in_json(t.gate)], entries
        assert entries[0]["ifindex"] == t.ifindex
    # wait_stats matches the name in JSON, which differs from argv here.
    for _ in range(50):
        doc = json.loads(raw("stats", "--json", t.gate).stdout.decode())
        if doc["interfaces"][0]["actions"]["pass"]["packets"] >= len(pkts):
            break
        time.sleep(0.05)
    assert doc["interfaces"][0]["actions"]["pass"]["packets"] == len(pkts)

    # Tables: the name shown by characters, columns aligned by characters.
    text = raw("status", t.gate).stdout.decode("utf-8")
    head, row = text.splitlines()[:2]
    assert row.startswith(shown_in_table(t.gate)), (row, t.gate)
    assert head.index("HOOK") == row.index("xdp"), text
    text = raw("stats", t.gate).stdout.decode("utf-8")
    assert text.startswith(shown_in_table(t.gate) + " (ifindex %d)" % t.ifindex), text

    p = raw("detach", t.gate)
    assert p.returncode == 0, p.stderr
    assert xgcli.link_xdp(t.gate) == (None, None)


@pytest.mark.parametrize("cmd", [("attach",), ("detach",), ("stats",), ("status",),
                                 ("detach", "--orphans")])
def test_too_long_and_empty_names(topo, cmd):
    long_name = "xge" + "x" * 13
    p = xgcli.xg(*cmd, long_name)
    assert p.returncode == 2, (cmd, p.returncode, p.stderr)
    assert re.search(r"interface name '%s' is longer than 15 bytes" % long_name,
                     p.stderr), p.stderr
    p = xgcli.xg(*cmd, "")
    assert p.returncode == 2, (cmd, p.returncode, p.stderr)
    assert "empty interface name" in p.stderr, p.stderr
    assert xgcli.instance(topo.gate) is None
