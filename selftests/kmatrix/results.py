"""What one kernel's run said, parsed from its KMX lines (see guest/lib.sh
for the protocol). Anything that is not a clean, complete run becomes a
FAIL line with its reason: a kernel that could not be fetched or booted,
a run that timed out or stopped early, a group that never finished, a
test reported twice.
"""
import json
from collections import OrderedDict


class Outcome:
    def __init__(self, kernel):
        self.kernel = kernel
        self.runs = []                 # (label, guestrun.Run), in order
        self.tests = OrderedDict()     # "group/test" -> (status, detail)
        self.backends = OrderedDict()  # "layer/hook" -> what was picked (why)
        self.infos = OrderedDict()     # "group/what" -> text
        self.data = {}                 # "group/what" -> parsed JSON
        self.uname = kernel.version
        self.unavailable = False       # the kernel could not be fetched at all

    def add(self, status, test, detail):
        if test in self.tests:
            status, detail = "FAIL", "reported twice (before: %s %s)" % self.tests[test]
        self.tests[test] = (status, detail)

    def fail(self, test, why):
        self.tests[test] = ("FAIL", why)

    def counts(self):
        n = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        for status, _ in self.tests.values():
            n[status] += 1
        return n

    @property
    def failed(self):
        return self.counts()["FAIL"] > 0


def _split(text):
    """"KMX PASS xdp/x detail..." -> ("PASS", "xdp/x", "detail...")."""
    parts = text.split(" ", 3)
    while len(parts) < 4:
        parts.append("")
    return parts[1], parts[2], parts[3]


def parse(outcome, run, label):
    """Add one run's lines; the run itself is the test run/<label>."""
    outcome.runs.append((label, run))
    open_groups = []
    booted = None
    for t, text in run.lines:
        kind, what, rest = _split(text)
        if kind == "BOOT":
            outcome.uname = what
            booted = t
        elif kind in ("PASS", "FAIL", "SKIP"):
            if kind == "SKIP" and not rest:
                kind, rest = "FAIL", "skipped without a reason"
            outcome.add(kind, what, rest)
        elif kind == "GROUP":
            if rest.startswith("start"):
                open_groups.append(what)
            elif what in open_groups:
                open_groups.remove(what)
        elif kind == "BACKEND":
            outcome.backends[what] = rest
        elif kind == "INFO":
            outcome.infos[what] = rest
        elif kind == "DATA":
            try:
                outcome.data[what] = json.loads(rest)
            except ValueError as e:
                outcome.fail(what, "unreadable JSON from the guest: %s" % e)
    for g in open_groups:
        outcome.fail(g + "/finished", "the group started but never finished")
    test = "run/" + label
    if run.error:
        outcome.fail(test, run.error)
    elif booted is None:
        outcome.fail(test, "no KMX BOOT line; console in %s" % run.log)
    else:
        outcome.add("PASS", test, "runner after %.1f s, done after %.0f s" % (booted, run.total_s))
    return outcome


# Hot-path rows the matrix reports, by benchmark program name.
XDPGATE, PEER, FLOOR = "xdpgate-count", "xdpfilter-dny-ip", "floor-drop"


def hotpath_rows(outcome):
    """[(packet, empty, xdp-filter, xdpgate, xdpgate/xdp-filter,
    (xdpgate-empty)/(xdp-filter-empty))]: medians per packet (instructions
    under -icount, ns on a real CPU) and the ratios."""
    d = outcome.data.get("bench/hotpath")
    if not d:
        return []
    rows = OrderedDict()
    for r in d.get("rows", []):
        if r.get("scenario") == "hotpath" and r.get("status") == "measured":
            rows.setdefault(r["group"], {})[r["program"]] = r
    out = []
    for group, progs in rows.items():
        x, p, f = progs.get(XDPGATE), progs.get(PEER), progs.get(FLOOR)
        if not (x and p and f):
            continue
        above = None
        if p["median"] > f["median"]:
            above = (x["median"] - f["median"]) / (p["median"] - f["median"])
        out.append((group, f["median"], p["median"], x["median"],
                    x.get("ratio_to_xdpfilter_dny_ip"), above))
    return out
