"""The matrix as people read it: one line per test per kernel on the
console while it runs, and a Markdown page (tests x kernels, the reason
for every skip and failure, the backends the loader picked, the hot-path
ratios, boot and run times).
"""
from collections import OrderedDict

from results import hotpath_rows


def console(outcome):
    """Every result line of one kernel, as the run produced them."""
    name = outcome.kernel.name
    for test, (status, detail) in outcome.tests.items():
        print("kernel-matrix: %-5s %-4s %s %s" % (name, status, test, detail), flush=True)
    for key, text in outcome.backends.items():
        print("kernel-matrix: %-5s backend %s: %s" % (name, key, text), flush=True)


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out


def _secs(s):
    return "–" if s is None else "%.0f s" % s if s >= 10 else "%.1f s" % s


def _ratio(v):
    return "–" if v is None else "%.2f×" % v


def markdown(outcomes, meta, groups):
    names = [o.kernel.name for o in outcomes]
    md = ["# Kernel matrix", "",
          "Written by `%s` at commit %s on %s; host: %s, kernel %s. "
          "Do not edit: run it again. What it proves and how it runs: "
          "[README](../README.md#kernel-matrix)." % (
              meta["command"], meta["commit"], meta["date"], meta["cpu"], meta["host_kernel"]),
          ""]
    md.append("## Kernels")
    md.append("")
    rows = []
    for o in outcomes:
        n = o.counts()
        runs = "; ".join("%s (`%s`): %s to runner, %s in all" % (
            label, r.command_short, _secs(r.boot_s), _secs(r.total_s))
            for label, r in o.runs) or "–"
        rows.append([o.kernel.name, o.uname or "?", o.kernel.how or "not prepared", runs,
                     "%d passed, %d failed, %d skipped" % (n["PASS"], n["FAIL"], n["SKIP"])])
    md += _table(["kernel", "uname -r", "from", "runs (wall time)", "result"], rows)
    notes = [(o.kernel.name, note) for o in outcomes for note in o.kernel.notes]
    if notes:
        md.append("")
        md += ["- **%s**: %s" % (n, t) for n, t in notes]
    md += ["", "Each booted kernel runs twice: `tcg`, the tests under plain emulation, and "
           "`icount`, the benchmark with qemu counting instructions. \"to runner\" is the "
           "wall time from "
           "launching qemu to the guest's first line (kernel boot plus unpacking the "
           "initramfs); \"in all\" ends at power-off. Emulation on a 2-core VM shared with "
           "other work: wall times vary by tens of percent between runs.", ""]
    md += ["## Results", ""]
    tests = OrderedDict()
    # The runs themselves (and a kernel that could not be had) first.
    for first in (True, False):
        for o in outcomes:
            for t in o.tests:
                if t.startswith(("kernel/", "run/")) == first:
                    tests[t] = True
    reasons = OrderedDict()
    rows = []
    for t in tests:
        row = [t]
        for o in outcomes:
            status, detail = o.tests.get(t, ("–", ""))
            if status in ("SKIP", "FAIL"):
                key = (status, detail)
                if key not in reasons:
                    reasons[key] = len(reasons) + 1
                row.append("%s [%d]" % (status, reasons[key]))
            else:
                row.append(status)
        rows.append(row)
    md += _table(["test"] + names, rows)
    md += ["", "\"–\": not run on that kernel. Reasons:", ""]
    md += ["%d. %s: %s" % (i, s, d) for (s, d), i in reasons.items()]
    md += ["", "Test groups (selftests/kmatrix/groups.txt):", ""]
    md += ["- `%s`: %s" % (g.name, g.what) for g in groups]
    md.append("")

    md += ["## Backend choice", "",
           "What the loader (and, for the dispatcher, the kernel) did on each kernel, "
           "as the loader itself reported it, and the matrix's own probes (`probe-*`): "
           "whether the kernel lets a program replace a function of another (freplace, "
           "what libxdp's dispatcher is built on), and what the verifier makes of a "
           "per-CPU array lookup.", ""]
    keys = OrderedDict()
    for o in outcomes:
        for k in list(o.backends) + [i for i in o.infos if "/probe-" in i]:
            keys[k] = True
    rows = []
    for k in keys:
        rows.append([k] + [o.backends.get(k, o.infos.get(k, "–")) for o in outcomes])
    md += _table(["layer/hook"] + names, rows)
    md.append("")

    md += ["## Hot path", "",
           "The benchmark's hot-path scenario (BPF_PROG_TEST_RUN, one source, the same "
           "bytes for every program) on each kernel: per packet, the empty program, "
           "xdp-filter's `dny_ip` object as Debian ships it, and xdpgate counting. In a "
           "booted kernel qemu's instruction counter is the guest's clock (`-icount "
           "shift=0`), so the figures are instructions per packet, the same on every run, "
           "including those of any helper a program calls; they say nothing of caches or "
           "the cost of a call on real hardware (a return through a mitigation thunk), only "
           "how much work each program does. The natively run kernel's figures are "
           "nanoseconds on the real CPU (median of 7 rounds, noisy while other work runs). "
           "Where the verifier does not inline per-CPU array lookups (the "
           "`probe-percpu-inline` row above), each of xdpgate's hot-source and "
           "action-counter lookups is a call, and its instructions are counted here.", ""]
    rows = []
    for o in outcomes:
        unit = "ns" if any(label == "native" for label, _ in o.runs) else "instructions"
        for group, floor, peer, x, x_peer, above in hotpath_rows(o):
            rows.append([o.kernel.name, unit, group, "%.0f" % floor, "%.0f" % peer,
                         "%.0f" % x, _ratio(x_peer), _ratio(above)])
    if rows:
        md += _table(["kernel", "per packet", "packet", "empty", "xdp-filter", "xdpgate",
                      "xdpgate ÷ xdp-filter", "same, above the empty program"], rows)
    else:
        md.append("No kernel produced hot-path figures.")
    md.append("")
    return "\n".join(md)
