"""The matrix as people read it: one line per test per kernel on the
console while it runs, and a Markdown page (tests x kernels, the reason
for every skip and failure, the backends the loader picked, the hot-path
ratios, boot and run times).
"""
from collections import OrderedDict

from results import hotpath_ratios


def console(outcome):
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
        run = o.run
        rows.append([o.kernel.name, o.uname or "?", o.kernel.how or "not prepared",
                     _secs(run.boot_s if run else None), _secs(run.total_s if run else None),
                     "%d passed, %d failed, %d skipped" % (n["PASS"], n["FAIL"], n["SKIP"])])
    md += _table(["kernel", "uname -r", "how", "to runner", "whole run", "result"], rows)
    notes = [(o.kernel.name, note) for o in outcomes for note in o.kernel.notes]
    if notes:
        md.append("")
        md += ["- **%s**: %s" % (n, t) for n, t in notes]
    md += ["", "\"to runner\" is the wall time from launching qemu to the guest's first "
           "line (kernel boot plus unpacking the initramfs); \"whole run\" ends at power-off. "
           "Emulation (TCG) on a 2-core VM shared with other work: times vary by tens of "
           "percent between runs.", ""]

    md += ["## Results", ""]
    tests = OrderedDict()
    for o in outcomes:
        for t in o.tests:
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
           "as the loader itself reported it; `freplace` is the matrix's own probe of "
           "what libxdp's dispatcher needs.", ""]
    keys = OrderedDict()
    for o in outcomes:
        for k in list(o.backends) + [i for i in o.infos if i.endswith("/freplace")]:
            keys[k] = True
    rows = []
    for k in keys:
        rows.append([k] + [o.backends.get(k, o.infos.get(k, "–")) for o in outcomes])
    md += _table(["layer/hook"] + names, rows)
    md.append("")

    md += ["## Hot path", "",
           "The benchmark's hot-path scenario (BPF_PROG_TEST_RUN, one source, median of "
           "per-round ratios) on each kernel. Under emulation the nanoseconds mean "
           "nothing, so only ratios between programs on the same kernel are shown; TCG "
           "executes the JIT's x86 code without modelling caches or branch prediction, "
           "so a ratio there mostly reflects how many instructions and calls a packet "
           "costs. A kernel whose verifier does not inline per-CPU array lookups "
           "(before about 6.10) pays a helper call for each of xdpgate's hot-source "
           "and action-counter lookups.", ""]
    rows = []
    for o in outcomes:
        for group, x_floor, p_floor, x_peer in hotpath_ratios(o):
            rows.append([o.kernel.name, group, _ratio(x_floor), _ratio(p_floor), _ratio(x_peer)])
    if rows:
        md += _table(["kernel", "packet", "xdpgate ÷ empty", "xdp-filter ÷ empty",
                      "xdpgate ÷ xdp-filter"], rows)
    else:
        md.append("No kernel produced hot-path figures.")
    md.append("")
    return "\n".join(md)
