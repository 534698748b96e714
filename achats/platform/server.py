"""`achats serve`: gunicorn with gevent workers, serving HTTP and Socket.IO over WebSocket.

The master is not patched: each gevent worker monkey-patches itself when it boots, before it
loads the application (no preload), so everything the app creates is cooperative. Patching the
master too made threads started in the workers (the rate limiter's timer) fail after fork.
"""

from __future__ import annotations

import os
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
    _Server(options).run()
