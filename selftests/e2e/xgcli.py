"""Running the xdpgate binary and reading back what it and the kernel say."""
import json
import os
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XDPGATE = os.environ.get("XDPGATE", os.path.join(REPO, "build", "xdpgate"))
XDP_OBJ = os.environ.get("XDPGATE_OBJ",
                         os.path.join(REPO, "build", "xdp", "xdpgate_xdp.bpf.o"))
# Test programs built by make (never compiled here: the Makefile knows the
# flags a plain Debian needs).
PROGS = os.path.join(REPO, "build", "selftests", "progs")
FOREIGN_OBJ = os.path.join(PROGS, "foreign_xdp.bpf.o")
IMPOSTOR_OBJ = os.path.join(PROGS, "impostor_xdp.bpf.o")
RENAMED_OBJ = os.path.join(PROGS, "renamed_xdp.bpf.o")
MINI_OBJ = os.path.join(PROGS, "mini_xdp.bpf.o")
PROG_NAME = "xdpgate_xdp"
# Every map status lists and the loader pins; xg_hot_* are the per-CPU
# hot-source caches in front of the LRU maps xg_src_*, xg_sketch and xg_cpu
# the admission stage's sketch and per-CPU state (held totals).
MAP_NAMES = ("xg_src_v4", "xg_src_v6", "xg_actions", "xg_reasons",
             "xg_hot_v4", "xg_hot_v6", "xg_inserts", "xg_sketch", "xg_cpu")
# The rule maps, pinned in the interface's policy directory
# (PIN_ROOT/ns<netns cookie>/if<ifindex>/policy), not in the hook's.
POLICY_MAPS = ("xg_pol_state", "xg_pol_v4", "xg_pol_v6", "xg_pol_hits",
               "xg_pol_bkt", "xg_pol_tx")
SOURCE_MAPS = ("xg_src_v4", "xg_src_v6")
HOT_MAPS = ("xg_hot_v4", "xg_hot_v6")
ACTIONS = ("pass", "drop", "redirect", "aborted", "limited", "redirect_fail")
# xg_reason_names in headers/xdpgate_names.h, without "ok".
REASONS = ("not_ip", "eth_trunc", "vlan_trunc", "vlan_too_deep", "ipv4_trunc",
           "ipv4_bad_version", "ipv4_bad_ihl", "ipv4_bad_len", "ipv6_trunc",
           "ipv6_bad_version", "ipv6_ext_trunc", "ipv6_ext_too_many",
           "ipv6_hbh_not_first", "l4_trunc", "tcp_bad_doff", "frag_l4_trunc",
           "src_update_fail")
# Reasons whose packets are also counted under their source
# (XG_RSN_HAS_SOURCE_MASK in headers/xdpgate_types.h).
REASONS_WITH_SOURCE = ("frag_l4_trunc",)
NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


class CliError(AssertionError):
    pass


def xg(*args, prefix=(), timeout=30):
    """Run xdpgate; return the CompletedProcess whatever the exit code."""
    # Messages repeat interface names as given, which may not be UTF-8.
    return subprocess.run(list(prefix) + [XDPGATE] + [str(a) for a in args],
                          capture_output=True, text=True, errors="surrogateescape",
                          timeout=timeout)


def xg_ok(*args):
    p = xg(*args)
    if p.returncode != 0:
        raise CliError("xdpgate %s exited %d\nstdout: %s\nstderr: %s" % (
            " ".join(map(str, args)), p.returncode, p.stdout, p.stderr))
    return p


def xg_json(*args):
    p = xg_ok(*args, "--json")
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        raise CliError("xdpgate %s --json printed invalid JSON (%s):\n%s" % (
            " ".join(map(str, args)), e, p.stdout))


def status(*ifnames):
    """`xdpgate status --json` for these interfaces only (never host-wide)."""
    assert ifnames, "tests look only at their own interfaces"
    return xg_json("status", *ifnames)


def instance(ifname):
    """This interface's entry of `xdpgate status --json`, or None."""
    found = [i for i in status(ifname)["instances"] if i["ifname"] == ifname]
    assert len(found) <= 1, "status lists %s %d times" % (ifname, len(found))
    return found[0] if found else None


def stats(ifname, *extra):
    doc = xg_json("stats", ifname, *extra)
    ifs = doc["interfaces"]
    assert [i["ifname"] for i in ifs] == [ifname], \
        "stats %s reported interfaces %s" % (ifname, [i["ifname"] for i in ifs])
    return ifs[0]


def possible_cpus():
    """CPUs per-CPU maps hold a value for (the kernel's possible mask)."""
    with open("/sys/devices/system/cpu/possible") as f:
        last = f.read().strip().split(",")[-1]
    return int(last.split("-")[-1]) + 1


def total_packets(ifc):
    return sum(ifc["actions"][a]["packets"] for a in ACTIONS)


def wait_every_hook(ifname, npackets, timeout=5.0):
    """Poll stats of every hook attached to ifname (XDP and TC each have
    an entry) until each has counted npackets; returns those entries.
    """
    deadline = time.monotonic() + timeout
    while True:
        doc = xg_json("stats", ifname)["interfaces"]
        if all(total_packets(i) >= npackets for i in doc) or \
           time.monotonic() > deadline:
            return doc
        time.sleep(0.05)


def wait_stats(ifname, npackets, timeout=5.0):
    """Poll stats until the actions add up to npackets (delivery through
    veth NAPI is asynchronous), then wait one more short beat to catch any
    packet beyond the expected ones. Returns the last reading.
    """
    deadline = time.monotonic() + timeout
    while True:
        ifc = stats(ifname)
        if total_packets(ifc) >= npackets or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(0.1)
    return stats(ifname)


def link_xdp(ifname):
    """(mode, prog id) as iproute2 reports them; mode is None when no XDP
    program is attached, else "xdp", "xdpgeneric", "xdpoffload" or "xdpmulti".
    """
    # iproute2 writes interface names as raw bytes, UTF-8 or not.
    p = subprocess.run(["ip", "-d", "-j", "link", "show", "dev", ifname],
                       capture_output=True, check=True)
    link = json.loads(p.stdout.decode("utf-8", "surrogateescape"))[0]
    xdp = link.get("xdp")
    if not xdp:
        return None, None
    names = {1: "xdp", 2: "xdpgeneric", 3: "xdpoffload", 4: "xdpmulti"}
    mode = names.get(xdp.get("mode"), str(xdp.get("mode")))
    prog = xdp.get("prog") or {}
    return mode, prog.get("id")


def link_text(ifname):
    return subprocess.run(["ip", "-d", "link", "show", "dev", ifname],
                          capture_output=True, check=True).stdout.decode(
                              "utf-8", "surrogateescape")

TC_OBJ = os.environ.get("XDPGATE_TC_OBJ",
                        os.path.join(REPO, "build", "tc", "xdpgate_tc.bpf.o"))
FOREIGN_TC_OBJ = os.path.join(PROGS, "foreign_tc.bpf.o")
IPROUTE2_TC_PIN_DIR = "/sys/fs/bpf/tc/globals"
