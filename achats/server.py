"""`achats serve`: gunicorn with gevent workers, serving HTTP and Socket.IO over WebSocket, and,
in the single-machine default, the task consumer beside them (`achats worker`, its own process).

The master is not patched: each gevent worker monkey-patches itself when it boots, before it
loads the application (no preload), so everything the app creates is cooperative. Patching the
master too made threads started in the workers (the rate limiter's timer) fail after fork.
CPU-bound tasks (a PDF to parse) run in the consumer process, never in a web worker.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from achats import create_app

        return create_app()


def run_server(host: str, port: int, workers: int | None = None) -> None:
    redis_url = os.environ.get("ACHATS_REDIS_URL")
    if workers is None:
        workers = int(os.environ.get("ACHATS_WORKERS", "0") or 0) or (
            (os.cpu_count() or 1) if redis_url else 1
        )
    if workers > 1 and not redis_url:
        raise SystemExit("Plusieurs processus exigent ACHATS_REDIS_URL (file de messages Socket.IO).")
    os.environ["ACHATS_WORKERS"] = str(workers)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gevent",
        "worker_connections": 2000,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": os.environ.get("ACHATS_ACCESS_LOG") or None,
        "errorlog": "-",
        "loglevel": os.environ.get("ACHATS_LOG_LEVEL", "info"),
        "proc_name": "achats",
        "control_socket_disable": True,  # gunicorn 27 would open a socket under ~/.gunicorn
        "forwarded_allow_ips": os.environ.get("ACHATS_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }
    if os.environ.get("ACHATS_EMBEDDED_WORKER", "true").strip().lower() not in ("0", "false", "no", "non"):
        start_consumer()
    _Server(options).run()


def _die_with_parent() -> None:
    # Linux: the consumer gets SIGTERM if the server dies without cleaning up (kill -9).
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_consumer() -> subprocess.Popen[bytes]:
    """`achats worker` as a child process, stopped with the server."""
    process = subprocess.Popen([sys.executable, "-m", "achats", "worker"],  # noqa: S603 - our own command
                               preexec_fn=_die_with_parent)  # noqa: PLW1509 - no threads yet in the master

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    atexit.register(stop)
    return process
