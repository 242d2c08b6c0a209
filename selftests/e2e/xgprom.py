"""The Prometheus side of the end-to-end tests: parsing the text exposition
xdpgate writes, running `xdpgate serve` and a real Prometheus server on
loopback (random free ports, a temporary directory, a generated config),
and asking Prometheus's HTTP query API.

Every process started here is stopped by the context manager that started
it, pass or fail.
"""
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import xgcli

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def unescape(v):
    """A label value as Prometheus reads it (\\\\, \\", \\n)."""
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\" and i + 1 < len(v):
            out.append({"n": "\n", "\\": "\\", '"': '"'}.get(v[i + 1], "\\" + v[i + 1]))
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


def parse(text):
    """{(name, frozenset(labels.items())): value}; types from TYPE lines.
    Raises on a malformed line or a series given twice.
    """
    samples, types = {}, {}
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
            continue
        if line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, "malformed exposition line: %r" % line
        labels = {}
        if m.group(3):
            rest = m.group(3)
            for lm in _LABEL.finditer(rest):
                labels[lm.group(1)] = unescape(lm.group(2))
        key = (m.group(1), frozenset(labels.items()))
        assert key not in samples, "series twice: %r" % line
        samples[key] = float(m.group(4))
    return samples, types


def select(samples, name, **labels):
    """{frozenset(labels): value} of the series of name matching labels."""
    want = set(labels.items())
    return {k[1]: v for k, v in samples.items() if k[0] == name and want <= k[1]}


def value(samples, name, **labels):
    """The one series of name with exactly these labels among its own."""
    found = select(samples, name, **labels)
    assert len(found) == 1, "%s%s: %d series: %s" % (name, labels, len(found), found)
    return next(iter(found.values()))


def names(samples):
    return {k[0] for k in samples}


def promtool_check(text):
    """`promtool check metrics` on text; returns its complaints ('' if none)."""
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                       capture_output=True, timeout=60)
    assert p.returncode == 0, "promtool check metrics failed:\n%s%s" % (p.stdout, p.stderr)
    return (p.stdout + p.stderr).strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=30, method="GET"):
    """(status, body) of a request, errors included."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def _stop(proc, timeout):
    """SIGTERM, then SIGKILL after timeout seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Serve:
    """A running `xdpgate serve` on 127.0.0.1 and a port it picked."""

    def __init__(self, *args):
        self.args = ["serve", "--listen", "127.0.0.1:0"] + list(args)

    def start(self):
        self.proc = subprocess.Popen([xgcli.XDPGATE] + self.args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/metrics", line)
        if not m:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise AssertionError("serve did not start: %r %s" % (line, err))
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port
        return self

    def metrics(self):
        code, body = http_get(self.url + "/metrics")
        assert code == 200, (code, body)
        return body

    def fds(self):
        """Open fds once the last connection's socket is closed (the server
        closes it after answering, a moment after the client has read).
        """
        last, deadline = None, time.monotonic() + 5
        while time.monotonic() < deadline:
            n = len(os.listdir("/proc/%d/fd" % self.proc.pid))
            if n == last:
                return n
            last = n
            time.sleep(0.2)
        return last

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stop it (SIGTERM); (exit status, stderr). Safe to call twice."""
        if getattr(self, "result", None):
            return self.result
        _stop(self.proc, 10)
        self.proc.stdout.close()
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        self.result = (self.proc.returncode, err)
        return self.result


@contextlib.contextmanager
def serve(*args):
    s = Serve(*args).start()
    try:
        yield s
    finally:
        s.stop()


class Prometheus:
    """A Prometheus server scraping one target every scrape_s seconds."""

    def __init__(self, target_port, scrape_s=1):
        self.dir = tempfile.mkdtemp(prefix="xgprom.")
        self.port = free_port()
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: %ds\n  scrape_timeout: %ds\n"
                    "scrape_configs:\n  - job_name: xdpgate\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % (scrape_s, scrape_s, target_port))
        self.proc = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + cfg,
             "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "log"), "w"))
        self.url = "http://127.0.0.1:%d" % self.port

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "prometheus exited: %s" % self.log()
            try:
                if http_get(self.url + "/-/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("prometheus not ready: %s" % self.log())

    def log(self):
        with open(os.path.join(self.dir, "log")) as f:
            return f.read()[-2000:]

    def query(self, expr):
        """The query API's data for an instant query (raises on an error)."""
        code, body = http_get(self.url + "/api/v1/query?" +
                              urllib.parse.urlencode({"query": expr}))
        doc = json.loads(body)
        assert code == 200 and doc["status"] == "success", (expr, code, body)
        return doc["data"]

    def vector(self, expr):
        """{frozenset(labels minus __name__, instance, job): float}."""
        out = {}
        for r in self.query(expr)["result"]:
            m = {k: v for k, v in r["metric"].items()
                 if k not in ("__name__", "instance", "job")}
            out[frozenset(m.items())] = float(r["value"][1])
        return out

    def wait_for(self, expr, want, timeout=60):
        """Poll expr until its vector equals want; return the last one."""
        deadline = time.monotonic() + timeout
        got = None
        while time.monotonic() < deadline:
            got = self.vector(expr)
            if got == want:
                return got
            time.sleep(0.5)
        raise AssertionError("%s: want %s, got %s" % (expr, want, got))

    def stop(self):
        _stop(self.proc, 20)
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def prometheus(target_port, scrape_s=1):
    p = Prometheus(target_port, scrape_s)
    try:
        p.wait_ready()
        yield p
    finally:
        p.stop()


def dashboard_exprs(path):
    """Every PromQL expression of a Grafana dashboard (targets and
    templating queries), with the dashboard's variables replaced by what
    Grafana would put there.
    """
    with open(path) as f:
        dash = json.load(f)
    exprs = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                exprs.append((p["title"], t["expr"]))
            walk(p.get("panels", []))
    walk(dash["panels"])
    for v in dash["templating"]["list"]:
        q = v.get("query")
        if isinstance(q, dict) and q.get("query", "").startswith("label_values("):
            inner = q["query"][len("label_values("):-1].rsplit(",", 1)[0]
            exprs.append(("variable " + v["name"], inner))
    subst = {"$__rate_interval": "1m", "$__interval": "15s", "$instance": ".*",
             "$ifname": ".*", "${datasource}": ""}
    out = []
    for title, e in exprs:
        for k, v in subst.items():
            e = e.replace(k, v)
        out.append((title, e))
    return out


_IDENT = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')


def metric_names(expr):
    """The metric names an expression selects: identifiers that start with
    xdpgate_, outside label matchers and strings.
    """
    stripped = re.sub(r'\{[^}]*\}', "{}", re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr))
    return {w for w in _IDENT.findall(stripped) if w.startswith("xdpgate_")}
