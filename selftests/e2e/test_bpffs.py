"""bpffs: the loader mounts it on a fresh boot, and refuses the private one
of `ip netns exec`, whose pins (and pinned bpf_links) die with the command.

The fresh-boot case runs in new mount and PID namespaces with /sys/fs/bpf
unmounted: pid 1 there is the test's shell, so the loader sees the root
mount namespace without a bpffs, as after a boot, and the host's bpffs (and
everything pinned in it) is never touched.
"""
import os
import subprocess

import xgcli
import xgnet

SCRIPT = r"""
set -u
while [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; do
    umount /sys/fs/bpf || exit 90
done
echo "before=$(stat -f -c %T /sys/fs/bpf)"
"$XG" attach "$IF" --mode skb --max-sources 64 >/dev/null || exit 91
echo "after=$(stat -f -c %T /sys/fs/bpf)"
echo "dirmode=$(stat -c %a "$DIR")"
for p in "$DIR"/*; do echo "pin=$(basename $p):$(stat -c %a $p)"; done
"$XG" detach "$IF" >/dev/null || exit 92
echo "gone=$(test -e "$DIR" && echo no || echo yes)"
"""


def test_attach_mounts_missing_bpffs(topo):
    p = subprocess.run(
        ["unshare", "--mount", "--pid", "--fork", "--mount-proc",
         "--propagation", "private", "sh", "-c", SCRIPT],
        env={"XG": xgcli.XDPGATE, "IF": topo.gate, "DIR": topo.pin_dir,
             "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "exit %d\n%s\n%s" % (p.returncode, p.stdout, p.stderr)
    out = dict(line.split("=", 1) for line in p.stdout.split()
               if "=" in line and not line.startswith("pin="))
    pins = dict(line[4:].split(":") for line in p.stdout.split() if line.startswith("pin="))
    assert out["before"] != "bpf_fs"
    assert out["after"] == "bpf_fs"
    assert out["dirmode"] == "700"
    assert set(pins) == set(xgcli.MAP_NAMES) | {"xg_owner"}
    assert all(mode == "600" for mode in pins.values()), pins
    assert out["gone"] == "yes"
    assert xgcli.link_xdp(topo.gate) == (None, None)
    assert not os.path.exists(topo.pin_dir)


def test_ip_netns_exec_refused(make_netns_iface):
    """`ip netns exec NS xdpgate attach IF` would pin into a private bpffs
    that dies with the command (a bpf_link pinned there detaches with it):
    it must fail, say why, advise nsenter, and attach nothing.
    """
    n = make_netns_iface()
    for via in ("link", "netlink"):
        p = subprocess.run(["ip", "netns", "exec", n.netns, xgcli.XDPGATE, "attach",
                            n.ifname, "--via", via, "--max-sources", "64"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 1, (via, p.returncode, p.stdout, p.stderr)
        assert "nsenter" in p.stderr and n.ifname in p.stderr, p.stderr
        assert "private" in p.stderr, p.stderr
        assert n.xdp() is None, "something was attached"
        assert not os.path.exists(n.pin_dir)
    # The same from the root mount namespace works, and pins for good.
    p = n.xg("attach", n.ifname, "--via", "link", "--max-sources", "64")
    assert p.returncode == 0, p.stderr
    assert n.xdp() is not None
    assert os.path.isdir(n.pin_dir)
