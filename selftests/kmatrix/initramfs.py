"""Packing what every guest runs into an initramfs: busybox, the static
binaries, the runner and its test groups (base.cpio.gz, shared by all
kernels), plus one small archive per kernel with its modules. The kernel
unpacks concatenated archives in order, so a guest's initrd is simply
base + modules.
"""
import gzip
import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUSYBOX = "/bin/busybox"
# Tools busybox lacks, packed with the shared libraries they load:
# iproute2's ip (test_xdpgate's cgroups test makes namespaces and a named
# veth pair), before busybox on the guest's PATH; and dash as /bin/sh,
# because Debian's static busybox sh runs its own applets in preference to
# anything on PATH, so its ip would always win.
DYNAMIC_TOOLS = [("/bin/ip", "kmx/bin/ip"), ("/bin/dash", "bin/sh")]
BOOTS = ("tcg", "icount")


class Group:
    def __init__(self, name, quick, needs, boot, script, what):
        self.name, self.quick, self.needs, self.boot = name, quick, needs, boot
        self.script, self.what = script, what

    def plan(self):
        """("run", script) or ("skip", reason) for this source tree."""
        if self.needs != "-" and not os.path.isdir(os.path.join(REPO, self.needs)):
            return "skip", "not built yet (no %s/ in this tree)" % self.needs
        if not os.path.exists(os.path.join(HERE, "guest", "groups", self.script)):
            return "skip", ("not built yet: %s/ exists, its matrix test "
                            "selftests/kmatrix/guest/groups/%s is not written"
                            % (self.needs, self.script))
        return "run", self.script


def load_groups(path=os.path.join(HERE, "groups.txt")):
    groups = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, quick, needs, boot, script, what = line.split(None, 5)
            if boot not in BOOTS:
                raise RuntimeError("%s: group %s: unknown boot %r" % (path, name, boot))
            groups.append(Group(name, quick == "yes", needs, boot, script, what.strip()))
    return groups


def xdpfilter_dir():
    """Where the benchmark loads xdp-filter's objects from (bench/programs.h)."""
    with open(os.path.join(REPO, "bench", "programs.h")) as f:
        m = re.search(r'#define\s+XDPFILT_DIR\s+"([^"]+)"', f.read())
    if not m:
        raise RuntimeError("bench/programs.h: no XDPFILT_DIR")
    return m.group(1)


def _cpio_gz(root, out):
    names = subprocess.run(["find", "."], cwd=root, capture_output=True, text=True,
                           check=True).stdout
    p = subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=root,
                       input=names.encode(), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("cpio in %s: %s" % (root, p.stderr.decode().strip()))
    with gzip.open(out, "wb", compresslevel=1) as f:
        f.write(p.stdout)


def _libraries(binary):
    """The shared libraries (and the loader) ldd says binary needs."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True,
                         check=True).stdout
    return [p for p in re.findall(r"(/\S+)", out) if os.path.exists(p)]


def _pack_dynamic(root, tool, dest):
    dst = os.path.join(root, dest)
    if os.path.lexists(dst):
        os.unlink(dst)
    shutil.copy2(tool, dst)
    for lib in _libraries(tool):
        dst = root + lib
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst):
            shutil.copy2(os.path.realpath(lib), dst)


def stage(workdir, bindir, groups):
    """Lay out the guest's tree in workdir/stage; return its path."""
    root = os.path.join(workdir, "stage")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "proc", "sys", "dev", "tmp", "run", "kmx/bin", "kmx/groups"):
        os.makedirs(os.path.join(root, d))
    shutil.copy2(BUSYBOX, os.path.join(root, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    for a in applets:
        if a != "busybox":
            os.symlink("busybox", os.path.join(root, "bin", a))
    shutil.copy2(os.path.join(HERE, "guest", "init"), os.path.join(root, "init"))
    for f in ("run.sh", "lib.sh", "native.sh"):
        shutil.copy2(os.path.join(HERE, "guest", f), os.path.join(root, "kmx", f))
    # Everything kmatrix.mk linked statically for the guests.
    for b in sorted(os.listdir(bindir)):
        shutil.copy2(os.path.join(bindir, b), os.path.join(root, "kmx", "bin", b))
    for tool, dest in DYNAMIC_TOOLS:
        _pack_dynamic(root, tool, dest)
    xf = xdpfilter_dir()
    os.makedirs(root + xf)
    for f in os.listdir(xf):
        if f.startswith("xdpfilt_") and f.endswith(".o"):
            shutil.copy2(os.path.join(xf, f), root + os.path.join(xf, f))
    with open(os.path.join(root, "kmx", "groups.list"), "w") as out:
        for g in groups:
            how, what = g.plan()
            if how == "run":
                shutil.copy2(os.path.join(HERE, "guest", "groups", what),
                             os.path.join(root, "kmx", "groups", what))
            out.write("%s %s %s\n" % (g.name, how, what))
    return root


def pack_base(workdir, root):
    out = os.path.join(workdir, "base.cpio.gz")
    _cpio_gz(root, out)
    return out


def pack_for_kernel(workdir, base, k):
    """base + this kernel's modules under /kmx/modules; return the initrd."""
    mroot = os.path.join(workdir, "modroot", k.name)
    shutil.rmtree(mroot, ignore_errors=True)
    os.makedirs(os.path.join(mroot, "kmx", "modules"))
    for m in k.modules:
        shutil.copy2(m, os.path.join(mroot, "kmx", "modules", os.path.basename(m)))
    mods = os.path.join(workdir, "modules-%s.cpio.gz" % k.name)
    _cpio_gz(mroot, mods)
    out = os.path.join(workdir, "initrd-%s.cpio.gz" % k.name)
    with open(out, "wb") as o:
        for part in (base, mods):
            with open(part, "rb") as i:
                shutil.copyfileobj(i, o)
    return out
