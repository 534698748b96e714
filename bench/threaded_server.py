"""Bench launcher: the app in Flask-SocketIO's threading mode (no gevent monkey-patching).

    python bench/threaded_server.py werkzeug PORT   # socketio.run(): Werkzeug + simple-websocket
    python bench/threaded_server.py gthread PORT    # gunicorn gthread worker, one thread per socket

Only for comparing server options in bench/sockets.py; `achats serve` is the production server.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])
    os.environ["ACHATS_ASYNC_MODE"] = "threading"
    from achats import create_app

    if mode == "werkzeug":
        from achats.platform.extensions import socketio

        app = create_app({"ACHATS_ASYNC_MODE": "threading"})
        socketio.run(app, host="127.0.0.1", port=port, allow_unsafe_werkzeug=True, log_output=False)
    elif mode == "gthread":
        from gunicorn.app.base import BaseApplication

        threads = int(os.environ.get("BENCH_THREADS", "1100"))

        class _App(BaseApplication):
            def load_config(self) -> None:
                for key, value in {"bind": f"127.0.0.1:{port}", "workers": 1, "worker_class": "gthread",
                                   "threads": threads, "worker_connections": threads + 100,
                                   "timeout": 60, "keepalive": 5, "loglevel": "warning"}.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return create_app({"ACHATS_ASYNC_MODE": "threading"})

        _App().run()
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
