"""A bare Flask page with a Jinja template: the yardstick of the machine's speed at the moment.

Issue 3 quotes about 4,400 requests/s for such a page on this machine (quiet). bench/load.py and
bench/sockets.py serve this app with the same server and load first and print the figure, so that
results taken while other work shares the 2 cores can be read against it.

    python bench/reference_app.py PORT WORKERS     # gunicorn + gevent, as `achats serve`
"""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item.name }} — {{ item.count }}</li>{% endfor %}
</ul></main></body></html>"""


def create_reference_app() -> Flask:
    app = Flask(__name__)
    # A template from a loader, as an application has it: compiled once and cached. (Flask's
    # render_template_string compiles its source on every call, ~3 ms here, which made this
    # yardstick measure the Jinja compiler.)
    app.jinja_loader = DictLoader({"page.html": PAGE})
    items = [{"name": f"Catégorie {i}", "count": i * 17} for i in range(20)]

    @app.get("/")
    def index() -> str:
        return render_template("page.html", title="Référence", items=items)

    return app


def main() -> None:
    from gevent import monkey

    monkey.patch_all()
    from gunicorn.app.base import BaseApplication

    port, workers = int(sys.argv[1]), int(sys.argv[2])

    class _App(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": workers, "worker_class": "gevent",
                               "worker_connections": 2000, "keepalive": 5, "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return create_reference_app()

    _App().run()


if __name__ == "__main__":
    main()
