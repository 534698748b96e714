"""Per-request cost of the forum pages, in-process (no server, no wrk): the quick loop for tuning.

    .venv/bin/python bench/inprocess.py                  # mean ms per page, 200 requests each
    .venv/bin/python bench/inprocess.py --profile thread # + pyinstrument tree of that page
    .venv/bin/python bench/inprocess.py --only thread --cprofile thread --callers 'dataclasses.py'

Uses the bench database (instance/bench-dataset.json, bench/dataset.py) through Flask's test
client, signed in as the bench user through the login form. Counts SQL statements per request.
The figures are CPU of one process plus the database's answer time: read them relative to each
other; bench/load.py gives the real server's throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = ROOT / "instance" / "bench-dataset.json"
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure N times and print the batch of least CPU (a shared machine is noisy)")
    parser.add_argument("--profile", default="", help="page key to profile with pyinstrument")
    parser.add_argument("--cprofile", default="", help="page key to profile with cProfile (the 45 heaviest functions)")
    parser.add_argument("--sort", default="tottime", help="with --cprofile: pstats order (tottime, cumulative…)")
    parser.add_argument("--callers", default="", help="with --cprofile: a regex of functions whose callers to print")
    parser.add_argument("--only", default="", help="comma-separated page keys")
    parser.add_argument("--sql", action="store_true", help="print the statements of one request per page")
    parser.add_argument("--cold", action="store_true",
                        help="empty the derived and fragment caches before each request (a page right after a change)")
    parser.add_argument("--dataset", default=os.environ.get("ACHATS_BENCH_DATASET", str(DEFAULT_DATASET)),
                        help="the dataset's JSON (bench/dataset.py writes instance/bench-dataset.json)")
    parser.add_argument("--search-cache", type=int, default=None, metavar="SECONDS",
                        help="ACHATS_SEARCH_CACHE_SECONDS (0: every search queries the database)")
    args = parser.parse_args()
    info = json.loads(Path(args.dataset).read_text())
    os.environ.update({"ACHATS_DATABASE_URL": info["database_url"], "ACHATS_LOG_LEVEL": "warning",
                       "ACHATS_REQUIRE_APPROVAL": "false", "ACHATS_SEARCH_RATE_LIMIT": "1000000/minute"})
    if args.search_cache is not None:
        os.environ["ACHATS_SEARCH_CACHE_SECONDS"] = str(args.search_cache)
    from sqlalchemy import event, text

    from achats import create_app
    from achats.platform.cache import derived_cache, fragments
    from achats.platform.extensions import db

    app = create_app()
    client = app.test_client()
    page = client.get("/compte/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert token is not None
    client.post("/compte/connexion", data={"csrf_token": token.group(1), "email": info["email"],
                                           "password": info["password"], "next": ""})
    threads = info["twenty_post_thread_ids"]
    if not info.get("category_slugs"):
        with app.app_context():
            info["category_slugs"] = list(db.session.scalars(
                text("SELECT slug FROM forum_category ORDER BY position")))[:10]
    pages = {
        "healthz": ["/healthz"],
        "home": ["/"],
        "categories": ["/forums"],
        "list": [f"/forums/{slug}" for slug in info.get("category_slugs", [])[:10]] or ["/forums/energie"],
        "thread": [f"/forums/sujets/{tid}" for tid in threads[:20]],
        "search": ["/recherche?q=papier+recycl%C3%A9"],
        "search-frequent": ["/recherche?q=clause+r%C3%A9emploi"],
        "api-categories": ["/api/v1/categories"],
        "api-list": [f"/api/v1/threads?category={slug}" for slug in info.get("category_slugs", [])[:10]],
        "api-thread": [f"/api/v1/threads/{tid}/posts" for tid in threads[:20]],
    }
    only = [k for k in args.only.split(",") if k] or list(pages)
    statements = 0
    show_sql = False

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal statements
        statements += 1
        if show_sql:
            print("   SQL:", " ".join(statement.split())[:300])

    headers = {"Authorization": f"Bearer {info['token']}"}
    for key in only:
        urls = pages[key]
        kwargs = {"headers": headers} if key.startswith("api") else {}
        for url in urls:  # warm-up, and check
            response = client.get(url, **kwargs)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        if args.sql:
            show_sql = True
            client.get(urls[0], **kwargs)
            show_sql = False
        profiler = None
        if key == args.profile:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.0005)
            profiler.start()
        cprofiler = None
        if key == args.cprofile:
            import cProfile
            cprofiler = cProfile.Profile()
            cprofiler.enable()
        best: tuple[float, float] | None = None
        for _ in range(args.repeat):
            statements = 0
            start = time.perf_counter()
            cpu = time.process_time()
            for i in range(args.requests):
                if args.cold:
                    derived_cache(app).clear()
                    fragments(app).clear()
                client.get(urls[i % len(urls)], **kwargs)
            wall = (time.perf_counter() - start) / args.requests * 1000
            cpu_ms = (time.process_time() - cpu) / args.requests * 1000
            if best is None or cpu_ms < best[1]:
                best = (wall, cpu_ms)
        wall, cpu_ms = best or (0.0, 0.0)
        print(f"{key:12} {wall:7.2f} ms wall  {cpu_ms:7.2f} ms cpu  {statements / args.requests:5.1f} SQL/request"
              + (f"  (best of {args.repeat})" if args.repeat > 1 else ""))
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if cprofiler is not None:
            import pstats
            cprofiler.disable()
            stats = pstats.Stats(cprofiler).sort_stats(args.sort)
            stats.print_stats(45)
            if args.callers:
                stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
