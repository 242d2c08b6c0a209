#!/usr/bin/python3
"""The kernel matrix: run xdpgate's tests on other kernels.

  matrix.py --build build [--quick] [--table FILE] [--kernels 6.1,host]

Packs the static binaries (build/kmatrix/bin), the runner and the test
groups into an initramfs, boots each kernel of kernels.txt under qemu with
software emulation (or, for a running kernel with no image file, runs the
same runner natively in private namespaces), and parses one result line
per test per kernel. Exit status 1 when a test failed or a kernel could
not be fetched or booted, 0 otherwise.

--quick (make test): the quick kernel, the quick groups. Where qemu or the
kernel cannot be had, it prints SKIP with the reason and exits 0.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import time

import guestrun
import initramfs
import kernels
import report
import results

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = initramfs.REPO

# Bounds on one qemu run. Measured on this project's VM (2 shared cores):
# a full test run takes about 2 minutes per kernel under TCG, the
# benchmark run about 1, the quick run under 1.
TIMEOUT_FULL = 900
TIMEOUT_QUICK = 300


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def git_commit():
    p = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"],
                       capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return (p.stdout.strip() or "?") + ("+dirty" if dirty else "")


def install_deps():
    """None when the matrix's packages are present (installing them if need
    be), else the reason they are not."""
    p = subprocess.run([os.path.join(REPO, "scripts", "deps.sh"), "kmatrix"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return "scripts/deps.sh kmatrix failed: %s" % (
            (p.stderr.strip() or p.stdout.strip()).splitlines() or ["no output"])[-1]
    return guestrun.qemu_missing()


def run_kernel(k, workdir, base, stage, groups, quick, logdir):
    o = results.Outcome(k)
    try:
        kernels.prepare(k, workdir)
    except kernels.FetchError as e:
        o.fail("kernel/fetch", str(e))
        o.unavailable = True
        return o
    except (kernels.KernelError, OSError, subprocess.SubprocessError) as e:
        o.fail("kernel/prepare", str(e))
        return o
    timeout = TIMEOUT_QUICK if quick else TIMEOUT_FULL
    if not k.vmlinuz:
        log = os.path.join(logdir, "%s-native%s.log" % (k.name, "-quick" if quick else ""))
        run = guestrun.native(stage, quick, timeout, log)
        run.command_short = "unshare --net --mount"
        return results.parse(o, run, "native")
    initrd = initramfs.pack_for_kernel(workdir, base, k)
    # One boot per kind of run the groups ask for, in groups.txt's order.
    boots = []
    for g in groups:
        if g.boot not in boots:
            boots.append(g.boot)
    for b in boots:
        names = [g.name for g in groups if g.boot == b]
        log = os.path.join(logdir, "%s-%s%s.log" % (k.name, b, "-quick" if quick else ""))
        run = guestrun.boot(k, initrd, quick, b, names, timeout, log)
        run.command_short = "qemu " + guestrun.boot_flags_text(b, quick)
        results.parse(o, run, b)
    return o


def pick(items, names, where):
    """The items named in the comma-separated names (all when None)."""
    if not names:
        return items
    want = names.split(",")
    unknown = [n for n in want if n not in [i.name for i in items]]
    if unknown:
        raise ValueError("no %s in %s" % (", ".join(unknown), where))
    return [i for i in items if i.name in want]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--build", required=True, help="the build directory")
    ap.add_argument("--quick", action="store_true", help="quick kernel and groups (make test)")
    ap.add_argument("--table", help="write the Markdown table here")
    ap.add_argument("--kernels", help="comma-separated names from kernels.txt (default: all)")
    ap.add_argument("--groups", help="comma-separated names from groups.txt (default: all)")
    args = ap.parse_args()

    started = time.monotonic()
    workdir = os.path.abspath(os.path.join(args.build, "kmatrix"))
    bindir = os.path.join(workdir, "bin")
    logdir = os.path.join(workdir, "logs")
    os.makedirs(logdir, exist_ok=True)
    what = "quick kernel matrix" if args.quick else "kernel matrix"

    chosen = kernels.load_kernels()
    if args.quick and not args.kernels:
        chosen = [k for k in chosen if k.quick]
    groups = initramfs.load_groups()
    if args.quick:
        groups = [g for g in groups if g.quick]
    try:
        chosen = pick(chosen, args.kernels, "kernels.txt")
        groups = pick(groups, args.groups, "groups.txt")
    except ValueError as e:
        print("kernel-matrix: %s" % e, file=sys.stderr)
        return 2

    missing = install_deps()
    if missing and args.quick:
        print("SKIP %s: %s" % (what, missing))
        return 0
    if missing:
        print("kernel-matrix: FAIL: qemu cannot run here: %s" % missing)
        return 1

    stage = initramfs.stage(workdir, bindir, groups)
    base = initramfs.pack_base(workdir, stage)

    outcomes = []
    for k in chosen:
        print("kernel-matrix: %s: starting (%s)" % (k.name, "quick" if args.quick else "full"),
              flush=True)
        o = run_kernel(k, workdir, base, stage, groups, args.quick, logdir)
        if args.quick and o.unavailable:
            # No kernel to boot (offline, no package): a reasoned skip.
            print("SKIP %s: kernel %s: %s" % (what, k.name, o.tests["kernel/fetch"][1]))
            return 0
        report.console(o)
        outcomes.append(o)

    meta = {"command": "make kernel-matrix" if not args.quick else "make test (quick)",
            "commit": git_commit(), "date": datetime.date.today().isoformat(),
            "cpu": cpu_model(), "host_kernel": platform.release()}
    table = args.table or os.path.join(workdir, "quick.md" if args.quick else "matrix.md")
    with open(table, "w") as f:
        f.write(report.markdown(outcomes, meta, groups))

    total = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for o in outcomes:
        for s, n in o.counts().items():
            total[s] += n
        print("kernel-matrix: %s (%s): %s; %s" % (
            o.kernel.name, o.uname or "?", "FAILED" if o.failed else "ok",
            "; ".join("%s: runner after %s, %s in all" % (
                label, "%.1f s" % r.boot_s if r.boot_s is not None else "–",
                "%.0f s" % r.total_s) for label, r in o.runs) or "not run"))
    print("kernel-matrix: %d tests passed, %d failed, %d skipped on %d kernel(s) in %.0f s; "
          "table in %s" % (total["PASS"], total["FAIL"], total["SKIP"], len(outcomes),
                           time.monotonic() - started, table))
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
