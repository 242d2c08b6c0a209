"""The kernels of the matrix: reading kernels.txt, fetching a Debian
kernel package (cached), unpacking it, and finding the running kernel's
image where there is one. Every failure raises KernelError with a reason
the matrix prints; nothing is dropped silently.
"""
import glob
import lzma
import os
import platform
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))

# Modules the tests need where the kernel has them as modules (veth pairs
# carry every XDP test; clsact and cls_bpf the TC layer's fallback), in
# load order: insmod resolves no dependencies. Built-in ones are simply
# not found.
MODULES = ["drivers/net/veth", "net/sched/sch_ingress", "net/sched/cls_bpf"]


class KernelError(Exception):
    pass


class FetchError(KernelError):
    """The kernel could not be had at all (no package, no network)."""


class Kernel:
    """One column of the matrix."""

    def __init__(self, name, kind, pattern, quick):
        self.name = name
        self.kind = kind          # "debian" or "host"
        self.pattern = pattern
        self.quick = quick
        self.package = None       # the Debian package, once resolved
        self.version = None       # uname -r of the kernel
        self.vmlinuz = None       # image to boot; None: run natively
        self.modules = []         # .ko files (uncompressed) to insmod
        self.how = ""             # one line for the table: where it came from
        self.notes = []           # anything the reader must know


def load_kernels(path=os.path.join(HERE, "kernels.txt")):
    kernels = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, kind, pattern, quick = line.split()
            if kind not in ("debian", "host"):
                raise KernelError("%s: kernel %s: unknown kind %r" % (path, name, kind))
            kernels.append(Kernel(name, kind, pattern, quick == "yes"))
    return kernels


def _natural(s):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s)]


def _run(cmd, cwd=None, timeout=300):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def _apt_candidates(pattern):
    rc, out, err = _run(["apt-cache", "search", "--names-only", pattern])
    if rc != 0:
        return None, (err.strip().splitlines() or ["apt-cache search failed"])[-1]
    rx = re.compile(pattern)
    names = [l.split(" - ", 1)[0].strip() for l in out.splitlines()]
    return sorted((n for n in names if rx.search(n)), key=_natural), ""


def _cached_debs(cache, pattern):
    rx = re.compile(pattern)
    debs = [d for d in glob.glob(os.path.join(cache, "*.deb"))
            if rx.search(os.path.basename(d).split("_", 1)[0])]
    return sorted(debs, key=lambda d: _natural(os.path.basename(d)))


def _download(cache, package):
    os.makedirs(cache, exist_ok=True)
    have = glob.glob(os.path.join(cache, package + "_*.deb"))
    if have:
        return have[0], False
    # As root apt would hand the download to its _apt user, who cannot
    # write into the build tree; keep it root's.
    rc, out, err = _run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root",
                         package], cwd=cache)
    have = glob.glob(os.path.join(cache, package + "_*.deb"))
    if rc != 0 or not have:
        raise FetchError("apt-get download %s failed: %s" % (
            package, (err.strip().splitlines() or ["no output"])[-1]))
    return have[0], True


def _resolve_debian(k, cache):
    names, err = _apt_candidates(k.pattern)
    if not names:
        # A fresh machine has no package lists yet; ask once.
        _run(["apt-get", "update", "-q"], timeout=600)
        names, err = _apt_candidates(k.pattern)
    if names:
        return _download(cache, names[-1])
    cached = _cached_debs(cache, k.pattern)
    if cached:
        k.notes.append("no package matching %s in apt's lists (%s); used the cached %s"
                       % (k.pattern, err or "none found", os.path.basename(cached[-1])))
        return cached[-1], False
    raise FetchError("no Debian package matches %s (%s) and none is cached in %s"
                      % (k.pattern, err or "apt-cache found none", cache))


def _unpack_module(src, dst):
    """Copy a module, decompressing .ko.xz (insmod takes plain .ko)."""
    if src.endswith(".xz"):
        with lzma.open(src) as f, open(dst, "wb") as o:
            shutil.copyfileobj(f, o)
    elif src.endswith(".ko"):
        shutil.copyfile(src, dst)
    else:
        raise KernelError("module %s: compression not handled" % src)


def _find_modules(moddir, out_dir):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    found = []
    for i, m in enumerate(MODULES):
        for ext in (".ko", ".ko.xz"):
            src = os.path.join(moddir, "kernel", m + ext)
            if os.path.exists(src):
                # Numbered, so the guest's glob loads them in this order.
                dst = os.path.join(out_dir, "%02d-%s.ko" % (i, os.path.basename(m)))
                _unpack_module(src, dst)
                found.append(dst)
                break
    return found


def _deb_version(deb):
    rc, out, _ = _run(["dpkg-deb", "-f", deb, "Version"])
    return out.strip() if rc == 0 else "?"


def prepare_debian(k, workdir):
    cache = os.path.join(workdir, "debs")
    deb, fetched = _resolve_debian(k, cache)
    k.package = os.path.basename(deb).split("_", 1)[0]
    tree = os.path.join(workdir, "kernels", k.package)
    if not os.path.isdir(os.path.join(tree, "boot")):
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(tree)
        rc, _, err = _run(["dpkg-deb", "-x", deb, tree])
        if rc != 0:
            raise KernelError("dpkg-deb -x %s: %s" % (deb, err.strip()))
    images = glob.glob(os.path.join(tree, "boot", "vmlinuz-*"))
    if len(images) != 1:
        raise KernelError("%s: expected one boot/vmlinuz-*, found %d" % (deb, len(images)))
    k.vmlinuz = images[0]
    k.version = os.path.basename(images[0])[len("vmlinuz-"):]
    moddir = os.path.join(tree, "lib", "modules", k.version)
    k.modules = _find_modules(moddir, os.path.join(workdir, "modules", k.name))
    k.how = "Debian %s %s (%s), qemu TCG" % (k.package, _deb_version(deb),
                                              "fetched" if fetched else "cached")


# Where distributions put the image of an installed kernel.
HOST_IMAGES = ["/boot/vmlinuz-{r}", "/lib/modules/{r}/vmlinuz",
               "/usr/lib/modules/{r}/vmlinuz", "/boot/bzImage-{r}"]


def prepare_host(k, workdir):
    r = platform.release()
    k.version = r
    tried = [p.format(r=r) for p in HOST_IMAGES]
    for path in tried:
        if os.path.isfile(path) and os.access(path, os.R_OK):
            k.vmlinuz = path
            k.modules = _find_modules("/lib/modules/%s" % r,
                                      os.path.join(workdir, "modules", k.name))
            k.how = "the running kernel's image %s, qemu TCG" % path
            return
    k.vmlinuz = None
    k.how = "the running kernel, natively in private net+mount namespaces"
    k.notes.append("no image file of the running kernel %s (looked for %s; this VM's "
                   "hypervisor boots it from outside the guest), so it cannot be booted "
                   "under qemu: the same runner and tests ran on it directly, in private "
                   "network and mount namespaces with their own bpffs"
                   % (r, ", ".join(tried)))


def prepare(k, workdir):
    if k.kind == "debian":
        prepare_debian(k, workdir)
    else:
        prepare_host(k, workdir)
