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

# Gunicorn answers some malformed requests itself, before the application sees them: a request line
# longer than this (414), too many or too large header fields (431), an invalid request line (400).
LIMIT_REQUEST_LINE = 4094
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190

_MESSAGES = {
    400: "Requête invalide.", 403: "Requête refusée.", 414: "Adresse trop longue (plus de 4 094 caractères).",
    417: "Requête invalide.", 431: "En-têtes de requête trop volumineux.", 500: "Erreur interne.",
    501: "Encodage de transfert non pris en charge.",
}


def _write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Gunicorn's own error answers, with the headers every response of the process carries and a
    French plain-text body (gunicorn's is an HTML page without them)."""
    from gunicorn.util import write_nonblock

    from achats.platform.security import BASELINE_HEADERS

    body = (_MESSAGES.get(status_int, "Requête invalide.") + "\n").encode()
    headers = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", "Content-Type: text/plain; charset=utf-8",
               f"Content-Length: {len(body)}", "Cache-Control: no-store",
               *(f"{name}: {value}" for name, value in BASELINE_HEADERS)]
    write_nonblock(sock, ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body)


def worker_class() -> type:
    """gunicorn's gevent worker, whose error answers are _write_error's."""
    from gunicorn import util
    from gunicorn.workers.ggevent import GeventWorker

    class Worker(GeventWorker):
        def init_process(self) -> None:
            util.write_error = _write_error  # gunicorn's base worker looks it up at each error
            super().init_process()

    return Worker


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
        "worker_class": worker_class(),
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
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
