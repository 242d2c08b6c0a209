"""The loader mounts bpffs when the machine has none, as on a fresh boot.

Run in a private mount namespace with /sys/fs/bpf unmounted, so the host's
bpffs (and everything pinned in it) is never touched.
"""
import subprocess

import xgcli

SCRIPT = r"""
set -u
while [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; do
    umount /sys/fs/bpf || exit 90
done
echo "before=$(stat -f -c %T /sys/fs/bpf)"
"$XG" attach "$IF" --mode skb >/dev/null || exit 91
echo "after=$(stat -f -c %T /sys/fs/bpf)"
echo "dirmode=$(stat -c %a /sys/fs/bpf/xdpgate/$IF)"
for p in /sys/fs/bpf/xdpgate/$IF/*; do echo "pin=$(basename $p):$(stat -c %a $p)"; done
"$XG" detach "$IF" >/dev/null || exit 92
echo "gone=$(test -e /sys/fs/bpf/xdpgate/$IF && echo no || echo yes)"
"""


def test_attach_mounts_missing_bpffs(topo):
    p = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", SCRIPT],
        env={"XG": xgcli.XDPGATE, "IF": topo.gate, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "exit %d\n%s\n%s" % (p.returncode, p.stdout, p.stderr)
    out = dict(line.split("=", 1) for line in p.stdout.split() if "=" in line and not line.startswith("pin="))
    pins = dict(line[4:].split(":") for line in p.stdout.split() if line.startswith("pin="))
    assert out["before"] != "bpf_fs"
    assert out["after"] == "bpf_fs"
    assert out["dirmode"] == "700"
    assert set(pins) == set(xgcli.MAP_NAMES) | {"xg_hot_v4", "xg_hot_v6"}
    assert all(mode == "600" for mode in pins.values()), pins
    assert out["gone"] == "yes"
    assert xgcli.link_xdp(topo.gate) == (None, None)
