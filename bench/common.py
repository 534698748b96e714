"""Shared helpers of the benchmarks: scratch settings, the `achats` command, servers, wrk, RSS.

Everything here talks to 127.0.0.1 only, and every loop is bounded in count and time.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
ACHATS = str(VENV_BIN / "achats")
WRK_LUA = BENCH / "wrk_report.lua"

# A fixed secret so that the bench never touches instance/secret_key (≥ 32 characters, bench only).
BENCH_SECRET = "bench-only-secret-key-not-for-production-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(database_url: str, *, redis_url: str | None, port: int, workers: int = 1,
              extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the server and of the `achats` commands of a bench run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACHATS_")}
    env.update({
        "ACHATS_DATABASE_URL": database_url,
        "ACHATS_SECRET_KEY": BENCH_SECRET,
        "ACHATS_PORT": str(port),
        "ACHATS_WORKERS": str(workers),
        "ACHATS_LOG_LEVEL": "warning",
        "ACHATS_REQUIRE_APPROVAL": "false",
    })
    if redis_url:
        env["ACHATS_REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def achats(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run an `achats` command and return its standard output (stripped)."""
    proc = subprocess.run([ACHATS, *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"achats {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout.strip()


def create_user_and_token(env: dict[str, str], email: str, name: str,
                          password: str = "bench-Mot-de-passe-2026!") -> tuple[int, str]:
    out = achats(env, "create-user", email, "--name", name, "--password-stdin", stdin=password + "\n")
    user_id = int(out.splitlines()[-1])
    token = achats(env, "create-token", email, "--name", "bench").splitlines()[-1]
    return user_id, token


_USERS_SCRIPT = """
import json, sys
from achats import create_app
from achats.auth.services import create_account, create_api_token
from achats.platform.extensions import db

prefix, count = sys.argv[1], int(sys.argv[2])
app = create_app()
out = []
with app.app_context():
    for i in range(count):
        user = create_account(db.session, email=f"{prefix}{i}@achats.example", name=f"Banc {prefix} {i}")
        _, secret = create_api_token(db.session, user, "bench")
        out.append([user.id, secret])
    db.session.commit()
print(json.dumps(out))
"""


def create_users_with_tokens(env: dict[str, str], count: int, prefix: str = "bench-user-") -> list[tuple[int, str]]:
    """Many active accounts with an API token each, through the app's own services (fast)."""
    proc = subprocess.run([sys.executable, "-c", _USERS_SCRIPT, prefix, str(count)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"creating users failed:\n{proc.stderr[-3000:]}")
    return [(int(uid), token) for uid, token in json.loads(proc.stdout.strip().splitlines()[-1])]


def exit_on_sigterm() -> None:
    """A SIGTERM runs the `finally` blocks (servers stopped) instead of killing the bench outright."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory_mib(self) -> dict[str, float]:
        """Memory of the server's processes (gunicorn master and workers), in MiB: the sum of
        RSS (counts pages shared after fork once per process) and of PSS (shares them out)."""
        import psutil

        root = psutil.Process(self.proc.pid)
        rss = pss = 0.0
        for p in [root, *root.children(recursive=True)]:
            try:
                info = p.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss / 2**20
            pss += getattr(info, "pss", info.rss) / 2**20
        return {"rss": rss, "pss": pss}

    def worker_pids(self) -> list[int]:
        import psutil

        children = psutil.Process(self.proc.pid).children(recursive=True)
        return [c.pid for c in children] or [self.proc.pid]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(name: str, cmd: list[str], env: dict[str, str], port: int, log_dir: Path,
                 timeout: float = 60) -> Server:
    log_path = log_dir / f"server-{name}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                            start_new_session=True)
    server = Server(name, proc, port, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server {name} exited:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    # Every worker answers once before we measure (best effort).
                    for _ in range(8):
                        urllib.request.urlopen(f"{server.base}/healthz", timeout=5).read()
                    return server
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"server {name} did not answer /healthz within {timeout} s:\n"
                       f"{log_path.read_text()[-3000:]}")


@contextmanager
def running(name: str, cmd: list[str], env: dict[str, str], port: int, log_dir: Path):
    server = start_server(name, cmd, env, port, log_dir)
    try:
        yield server
    finally:
        server.stop()


def serve_cmd(port: int, workers: int) -> list[str]:
    return [ACHATS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


# --- wrk ------------------------------------------------------------------------------------


def need_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk introuvable : apt-get install -y wrk")
    return path


@dataclass
class WrkResult:
    url: str
    rps: float
    p50: float
    p90: float
    p95: float
    p99: float
    max: float
    requests: int
    errors: int
    non_2xx: int

    def row(self) -> str:
        # wrk counts non-2xx/3xx answers among its errors (summary.errors.status).
        return (f"{self.rps:8.0f} {self.p50:7.1f} {self.p95:7.1f} {self.p99:7.1f}"
                f" {self.errors:6d}")


def wrk(url: str, *, connections: int = 16, threads: int = 2, duration: int = 20,
        headers: dict[str, str] | None = None, paths: list[str] | None = None,
        identities: list[dict[str, str]] | None = None) -> WrkResult:
    """Run wrk with --latency and the Lua reporter; latencies in milliseconds.

    `paths` rotates over several URLs of one page type; `identities` rotates over per-request
    headers (e.g. the Cookie of many users), used instead of `headers`.
    """
    script = WRK_LUA
    if paths or identities:
        paths = paths or [urllib.parse.urlsplit(url).path or "/"]
        lua_paths = ", ".join(json.dumps(p) for p in paths)
        lua_ids = ", ".join("{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in h.items()) + "}"
                            for h in (identities or [headers or {}]))
        fd, name = tempfile.mkstemp(suffix=".lua", prefix="wrk-")
        with os.fdopen(fd, "w") as fh:
            # Each wrk thread has its own Lua state: `offset` staggers them.
            fh.write(f"local paths = {{{lua_paths}}}\nlocal ids = {{{lua_ids}}}\n"
                     "local counter = 0\n"
                     "function setup(thread)\n  thread:set('offset', counter * 7919)\n  counter = counter + 1\nend\n"
                     "local i = 0\n"
                     "request = function()\n  i = i + 1\n  local k = i + (offset or 0)\n"
                     "  local h = {}\n  for key, v in pairs(ids[k % #ids + 1]) do h[key] = v end\n"
                     "  return wrk.format(nil, paths[k % #paths + 1], h)\nend\n")
            fh.write(WRK_LUA.read_text())
        script = Path(name)
    # WRK_NICE (e.g. -10, as root): run the load tool ahead of the server in the CPU queue. On
    # 2 shared cores a saturated server delays wrk's own reads, which inflates the tail it
    # measures; a real client does not share the server's cores.
    nice = os.environ.get("WRK_NICE")
    cmd = ([ "nice", "-n", nice] if nice else []) + [need_wrk(), f"-c{connections}", f"-t{threads}", f"-d{duration}s", "--latency",
           "--timeout", "10s", "-s", str(script)]
    for key, value in ({} if identities else headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    cmd.append(url)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    finally:
        if script != WRK_LUA:
            script.unlink(missing_ok=True)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed for {url}:\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    non_2xx = 0
    for ln in proc.stdout.splitlines():
        if "Non-2xx or 3xx responses" in ln:
            non_2xx = int(ln.split(":")[1])
    return WrkResult(url=url, rps=data["requests"] / (data["duration_us"] / 1e6),
                     p50=data["p50"] / 1000, p90=data["p90"] / 1000, p95=data["p95"] / 1000,
                     p99=data["p99"] / 1000, max=data["max"] / 1000, requests=data["requests"],
                     errors=data["errors"], non_2xx=non_2xx)


WRK_HEADER = f"{'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"


# --- the machine ----------------------------------------------------------------------------


def machine() -> str:
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def today() -> str:
    return datetime.now().strftime("%Y-%m-%d")


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- other people's load ------------------------------------------------------------------
# This machine is shared (tests of other sessions run on the same 2 cores): each measurement
# records how much CPU processes outside the bench used meanwhile, and can wait for a quiet moment.


class ForeignCpu:
    """Samples, once a second, the CPU used by processes that are not this bench's descendants."""

    def __init__(self, own_database: str | None = None) -> None:
        import psutil

        self._psutil = psutil
        self._me = os.getpid()
        # PostgreSQL backends serving the bench's own database work for the bench, not others.
        self._own_db = own_database
        self._ours_cache: dict[int, bool] = {}
        self._procs: dict[int, Any] = {}
        self.samples: list[float] = []
        self._stop = None
        self._thread = None

    def _family(self) -> set[int]:
        try:
            me = self._psutil.Process(self._me)
            return {self._me, *(c.pid for c in me.children(recursive=True))}
        except self._psutil.Error:
            return {self._me}

    def _is_ours(self, proc: Any) -> bool:
        if not self._own_db:
            return False
        pid = proc.pid
        if pid not in self._ours_cache:
            try:
                cmd = " ".join(proc.cmdline())
            except self._psutil.Error:
                cmd = ""
            self._ours_cache[pid] = cmd.startswith("postgres: ") and f" {self._own_db} " in cmd
        return self._ours_cache[pid]

    def sample(self) -> float:
        """Percent of one core used by foreign processes since the previous call."""
        family = self._family()
        total = 0.0
        seen = set()
        for p in self._psutil.process_iter(["pid"]):
            pid = p.info["pid"]
            seen.add(pid)
            proc = self._procs.setdefault(pid, p)
            try:
                value = proc.cpu_percent(None)
            except self._psutil.Error:
                continue
            if pid not in family and not self._is_ours(proc):
                total += value
        for pid in list(self._procs):
            if pid not in seen:
                del self._procs[pid]
                self._ours_cache.pop(pid, None)
        return total

    def __enter__(self) -> ForeignCpu:
        import threading

        self.sample()
        self._stop = threading.Event()

        def loop() -> None:
            deadline = time.monotonic() + 3600
            while not self._stop.wait(1.0) and time.monotonic() < deadline:
                self.samples.append(self.sample())

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else 0.0


def wait_quiet(threshold: float = 25.0, seconds: int = 5, max_wait: int = 300,
               own_database: str | None = None) -> float:
    """Wait (at most max_wait s) until foreign processes use under threshold % of a core for
    `seconds` consecutive seconds; returns the last reading."""
    monitor = ForeignCpu(own_database)
    monitor.sample()
    quiet = 0
    reading = 0.0
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        time.sleep(1)
        reading = monitor.sample()
        quiet = quiet + 1 if reading < threshold else 0
        if quiet >= seconds:
            return reading
    print(f"  (machine still busy: {reading:.0f} % of a core used by other processes)", flush=True)
    return reading


def reference_rps(workers: int = 1, duration: int = 5) -> float:
    """Requests/s of bench/reference_app.py (bare Flask + Jinja, gunicorn + gevent) right now."""
    port = free_port()
    cmd = [sys.executable, str(BENCH / "reference_app.py"), str(port), str(workers)]
    log_dir = Path(tempfile.mkdtemp(prefix="achats-ref-"))
    proc = subprocess.Popen(cmd, stdout=(log_dir / "ref.log").open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        wrk(f"http://127.0.0.1:{port}/", duration=1)
        return wrk(f"http://127.0.0.1:{port}/", duration=duration).rps
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(log_dir, ignore_errors=True)
