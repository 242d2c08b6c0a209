"""Running the tests on one kernel: booting it under qemu with software
emulation (TCG), or, for a running kernel with no image file, running the
same runner natively in private namespaces. Either way the whole run is
bounded by a timeout, the console is saved to a log, and the lines are
handed back with the wall time at which each arrived.
"""
import os
import re
import select
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QEMU = "qemu-system-x86_64"
# Serial output starts with the firmware's escape sequences; a KMX line is
# taken from the marker on.
KMX_RE = re.compile(r"KMX (BOOT|END|GROUP|PASS|FAIL|SKIP|INFO|BACKEND|DATA)\b.*")


class Run:
    def __init__(self):
        self.lines = []        # (seconds since start, "KMX ..." text)
        self.boot_s = None     # when the runner said KMX BOOT
        self.total_s = None
        self.error = None      # why the run did not finish, if it did not
        self.log = None
        self.command = ""
        self.command_short = ""  # for the table: how it ran


def _collect(cmd, timeout, log_path, env=None):
    r = Run()
    r.log = log_path
    r.command = " ".join(cmd)
    start = time.monotonic()
    with open(log_path, "w") as log:
        log.write("# %s\n" % r.command)
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        buf = b""
        timed_out = False
        while True:
            left = start + timeout - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                text = raw.decode("utf-8", "replace").replace("\r", "")
                log.write(text + "\n")
                m = KMX_RE.search(text)
                if m:
                    now = time.monotonic() - start
                    r.lines.append((now, m.group(0).rstrip()))
                    if m.group(1) == "BOOT" and r.boot_s is None:
                        r.boot_s = now
        if timed_out:
            os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
        r.total_s = time.monotonic() - start
        if buf:
            log.write(buf.decode("utf-8", "replace") + "\n")
    if timed_out:
        r.error = "timed out after %d s" % timeout
    elif not any(t.startswith("KMX END") for _, t in r.lines):
        r.error = "stopped before the end (exit status %d)" % rc
    if r.error:
        last = r.lines[-1][1] if r.lines else "no KMX line at all"
        r.error += "; last line: %s; console in %s" % (last, log_path)
    return r


# How each kind of run boots (groups.txt's "boot" column).
def _boot_flags(boot, quick):
    if boot == "icount":
        # One CPU, and the guest's clock advances one nanosecond per
        # instruction executed: timings become instruction counts.
        return ["-smp", "1", "-icount", "shift=0"], " kmx.icount=1"
    return ["-smp", "1" if quick else "2"], ""


def boot_flags_text(boot, quick):
    flags, _ = _boot_flags(boot, quick)
    return "-accel tcg " + " ".join(flags)


# The loader refuses maps over 1/8 of memory: the default 131072 sources
# per family on two CPUs need about 220 MiB. Under TCG guest memory is
# only taken as it is touched.
MEMORY = "3G"


def qemu_command(k, initrd, quick, boot, groups, memory=MEMORY):
    flags, extra = _boot_flags(boot, quick)
    append = "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init" + extra
    append += " kmx.groups=" + ",".join(groups)
    if quick:
        append += " kmx.quick=1"
    return [QEMU, "-accel", "tcg", "-m", memory] + flags + [
        "-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio",
        "-monitor", "none", "-kernel", k.vmlinuz, "-initrd", initrd, "-append", append]


def boot(k, initrd, quick, boot, groups, timeout, log_path):
    return _collect(qemu_command(k, initrd, quick, boot, groups), timeout, log_path)


def native(stage, quick, timeout, log_path):
    env = dict(os.environ)
    env.pop("KMX_QUICK", None)
    if quick:
        env["KMX_QUICK"] = "1"
    cmd = ["unshare", "--net", "--mount", "--", "/bin/sh",
           os.path.join(stage, "kmx", "native.sh"), stage]
    return _collect(cmd, timeout, log_path, env=env)


def qemu_missing():
    """None when qemu can run here, else the reason it cannot."""
    try:
        p = subprocess.run([QEMU, "--version"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return "%s is not installed" % QEMU
    except subprocess.TimeoutExpired:
        return "%s --version did not answer in 30 s" % QEMU
    if p.returncode != 0:
        return "%s --version failed: %s" % (QEMU, p.stderr.strip())
    return None
