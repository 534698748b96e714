"""The opening rush of the Assises: 300 accounts registering through HTTP within a minute for
120 seats, on the production server (`achats serve`, gunicorn + gevent, Redis) over PostgreSQL;
then an event page under wrk.

    .venv/bin/python bench/events.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/bench_events]
                                     [--accounts 300] [--seats 120] [--concurrency 30] [--workers 2]

Checks: 0 overbooking (confirmed = seats taken ≤ capacity, waiting positions 1..n), 0 server
errors, p95 of a registration under 300 ms; the event page at 300 requests/s or more.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ROOT,
    bench_env,
    create_users_with_tokens,
    exit_on_sigterm,
    flush_redis,
    free_port,
    machine,
    percentile,
    running,
    serve_cmd,
    today,
    wrk,
)
from dataset import recreate_database, run_init  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_events"
REDIS_URL = "redis://127.0.0.1:6379/12"

_EVENT_SCRIPT = """
import json, sys
from datetime import UTC, datetime, timedelta
from sqlalchemy import select
from achats import create_app
from achats.auth.models import User
from achats.events import services
from achats.platform.extensions import db
from achats.platform.security import Role

seats = int(sys.argv[1])
app = create_app()
with app.app_context():
    organiser = db.session.scalar(select(User).where(User.role == Role.ADMIN).limit(1))
    if organiser is None:
        from achats.auth.services import create_account
        organiser = create_account(db.session, email="bench-admin@achats.example", name="Banc Admin", role=Role.ADMIN)
    starts = (datetime.now(UTC) + timedelta(days=60)).replace(hour=7, minute=0, second=0, microsecond=0)
    event = services.create_event(db.session, organiser, services.EventInput(
        kind="assises", title="Assises (banc)", starts_at=starts, ends_at=starts + timedelta(hours=8),
        location="Dijon", capacity=seats, status="published", description="La ruée de l'ouverture."))
    workshops = []
    for n in range(4):
        s = services.add_session(db.session, organiser, event, services.SessionInput(
            title=f"Atelier {n + 1}", kind="workshop", slot="tour 1", capacity=seats // 4,
            starts_at=starts + timedelta(hours=5), ends_at=starts + timedelta(hours=6)))
        workshops.append(s.id)
    db.session.commit()
    print(json.dumps({"event_id": event.id, "workshops": workshops}))
"""

_CHECK_SCRIPT = """
import json, sys
from sqlalchemy import func, select
from achats import create_app
from achats.events.models import Event, EventSession, Registration, SessionChoice
from achats.events.services.seats import event_positions
from achats.platform.extensions import db

event_id = int(sys.argv[1])
app = create_app()
with app.app_context():
    event = db.session.get(Event, event_id)
    statuses = dict(db.session.execute(select(Registration.status, func.count(Registration.id))
                                       .where(Registration.event_id == event_id).group_by(Registration.status)).all())
    positions = sorted(event_positions(db.session, event_id).values())
    workshops = []
    for s in event.sessions:
        held = db.session.scalar(select(func.count(SessionChoice.id)).where(
            SessionChoice.session_id == s.id, SessionChoice.status == "confirmed"))
        workshops.append({"id": s.id, "capacity": s.capacity, "seats_taken": s.seats_taken, "held": held})
    print(json.dumps({"capacity": event.capacity, "seats_taken": event.seats_taken,
                      "statuses": {str(k): v for k, v in statuses.items()},
                      "positions_ok": positions == list(range(1, len(positions) + 1)), "workshops": workshops}))
"""


def _script(env: dict[str, str], script: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def register(base: str, event_id: int, token: str, workshop: int) -> tuple[int, float]:
    body = json.dumps({"session_ids": [workshop], "answers": {"dietary": "Sans porc"}}).encode()
    request = urllib.request.Request(f"{base}/api/v1/events/{event_id}/registrations", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError):
        status = 0
    return status, (time.perf_counter() - start) * 1000


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--seats", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--spread", type=float, default=20.0, help="seconds over which the arrivals are spread")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=20)
    args = parser.parse_args()

    recreate_database(args.url)
    run_init(args.url)
    flush_redis(REDIS_URL)
    port = free_port()
    env = bench_env(args.url, redis_url=REDIS_URL, port=port, workers=args.workers, extra={
        "ACHATS_TASKS_DB": str(ROOT / "instance" / "bench-events-tasks.db"),
        "ACHATS_OUTBOX_DIR": str(ROOT / "instance" / "bench-events-outbox")})
    users = create_users_with_tokens(env, args.accounts, prefix="bench-rush-")
    info = _script(env, _EVENT_SCRIPT, str(args.seats))
    event_id, workshops = info["event_id"], info["workshops"]
    log_dir = ROOT / "instance" / "bench-events-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with running("events", serve_cmd(port, args.workers), env, port, log_dir) as server:
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        t0 = time.perf_counter()

        def one(i: int) -> None:
            # Arrivals spread evenly over `spread` seconds: the opening minute's rush.
            delay = t0 + args.spread * i / len(users) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            result = register(server.base, event_id, users[i][1], workshops[i % len(workshops)])
            with lock:
                results.append(result)

        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(one, range(len(users))))
        elapsed = time.perf_counter() - t0
        latencies = [ms for _, ms in results]
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        state = _script(env, _CHECK_SCRIPT, str(event_id))
        page = wrk(f"{server.base}/evenements/{event_id}", duration=args.duration)
        api_page = wrk(f"{server.base}/api/v1/events/{event_id}", duration=args.duration)

    confirmed = state["statuses"].get("confirmed", 0)
    overbooked = confirmed > state["capacity"] or confirmed != state["seats_taken"] or any(
        w["held"] != w["seats_taken"] or w["seats_taken"] > w["capacity"] for w in state["workshops"])
    server_errors = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
    p95 = percentile(latencies, 95)
    print(f"\n## Events bench, {today()}\n\n{machine()}\n")
    print(f"Rush: {len(results)} registrations in {elapsed:.1f} s ({args.concurrency} clients, arrivals over "
          f"{args.spread:.0f} s), {args.seats} seats, `achats serve --workers {args.workers}` on PostgreSQL + Redis.")
    print(f"- statuses: {statuses}; database: {state['statuses']}, seats taken {state['seats_taken']}/"
          f"{state['capacity']}, waiting positions 1..n: {state['positions_ok']}")
    print(f"- workshops: {[(w['held'], w['capacity']) for w in state['workshops']]}")
    print(f"- registration latency: p50 {percentile(latencies, 50):.0f} ms, p95 {p95:.0f} ms, "
          f"p99 {percentile(latencies, 99):.0f} ms, max {max(latencies):.0f} ms")
    print(f"- overbooking: {'YES' if overbooked else 'none'}; server errors: {server_errors}")
    print(f"- event page (HTML, anonymous): {page.rps:.0f} req/s, p95 {page.p95:.1f} ms, errors {page.errors}")
    print(f"- event API (JSON, anonymous): {api_page.rps:.0f} req/s, p95 {api_page.p95:.1f} ms, errors {api_page.errors}")
    ok = not overbooked and server_errors == 0 and p95 < 300 and page.rps >= 300 and state["positions_ok"]
    print(f"\nVerdict: {'targets met' if ok else 'targets NOT met'}")


if __name__ == "__main__":
    main()
