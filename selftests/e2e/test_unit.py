"""The systemd unit for `xdpgate serve`: systemd-analyze verify accepts it,
its sandbox settings are there, and the capabilities it grants are exactly
what serve needs: serve, run with its ExecStart arguments under exactly
that capability bounding set (and no new privileges), exports an attached
interface; with any one of them taken away it refuses to start, naming it.
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

import xgcli
import xgprom

UNIT = os.path.join(xgcli.REPO, "systemd", "xdpgate-serve.service")


def unit():
    """{key: [values]} of the [Service] section."""
    out, section = {}, None
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


def test_systemd_analyze_verify():
    if not shutil.which("systemd-analyze"):
        pytest.skip("SKIP: systemd-analyze is not installed")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "xdpgate-serve.service")
        with open(UNIT) as f:
            text = f.read().replace("/usr/local/sbin/xdpgate", xgcli.XDPGATE)
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run(["systemd-analyze", "verify", path], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0 and not p.stderr.strip(), p.stdout + p.stderr


def test_sandbox_settings():
    u = unit()
    for k, v in {"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                 "NoNewPrivileges": "yes", "PrivateDevices": "yes",
                 "ReadOnlyPaths": "/sys/fs/bpf", "ProtectKernelTunables": "yes",
                 "ProtectControlGroups": "yes", "RestrictNamespaces": "yes",
                 "MemoryDenyWriteExecute": "yes", "IPAddressAllow": "localhost"}.items():
        assert u.get(k) == [v], (k, u.get(k))
    fams = set(u["RestrictAddressFamilies"][0].split())
    assert fams == {"AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"}, fams
    assert "--listen 127.0.0.1:" in u["ExecStart"][0]


def caps_of_unit():
    return [c.lower().replace("cap_", "") for c in unit()["CapabilityBoundingSet"][0].split()]


def run_serve(caps, gate):
    """The command line of serve with the unit's arguments (on a free port)
    under exactly caps.
    """
    args = unit()["ExecStart"][0].split()[2:]
    bset = ",".join(["-all"] + ["+" + c for c in caps])
    cmd = ["setpriv", "--no-new-privs", "--bounding-set", bset, "--inh-caps", "-all",
           xgcli.XDPGATE, "serve"] + args + ["--listen", "127.0.0.1:0", "--iface", gate]
    return cmd


def test_capabilities_exactly_what_serve_needs(attached):
    caps = caps_of_unit()
    assert caps == ["sys_admin"], caps
    proc = subprocess.Popen(run_serve(caps, attached.gate), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r":(\d+)/metrics", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        code, body = xgprom.http_get("http://127.0.0.1:%s/metrics" % m.group(1))
        assert code == 200
        s, _ = xgprom.parse(body)
        assert xgprom.value(s, "xdpgate_up", layer="xdp") == 1
        assert xgprom.select(s, "xdpgate_packets_total", ifname=attached.gate)
        assert xgprom.value(s, "xdpgate_scrape_errors") == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    for c in caps:
        fewer = [x for x in caps if x != c]
        p = subprocess.run(run_serve(fewer, attached.gate), capture_output=True,
                           text=True, timeout=30)
        assert p.returncode == 1, (c, p.stdout, p.stderr)
        assert "CAP_" + c.upper() in p.stderr, p.stderr
