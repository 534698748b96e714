"""`achats serve` as production runs it: two gevent workers sharing a Redis of their own.

- every answer of the process carries the security headers, gunicorn's own error answers included;
- a Redis outage loses no live notification: every open page is told to re-fetch (`resync`)
  while Redis is down and once it is back, and GET /notifications has them all.

The Redis here is a private redis-server on a free port (killed and restarted by the test), never
the shared one. Skipped with a message when redis-server is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (apt-get install redis-server)")


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([REDIS_SERVER or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _achats(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "achats", *args], env=env, input=stdin, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("server-process")
    redis = PrivateRedis(base)
    redis.start()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACHATS_")}
    env.update({
        "ACHATS_DATABASE_URL": f"sqlite:///{base / 'server.db'}", "ACHATS_SECRET_KEY": "s" * 40,
        "ACHATS_REDIS_URL": redis.url, "ACHATS_PORT": str(port), "ACHATS_TASKS_DB": str(base / "tasks.db"),
        "ACHATS_REQUIRE_APPROVAL": "false", "ACHATS_LOG_LEVEL": "warning", "ACHATS_EMBEDDED_WORKER": "false",
    })
    _achats(env, "init")
    users = []
    for n in range(2):
        email = f"lecteur{n}@commune-test.fr"
        user_id = int(_achats(env, "create-user", email, "--name", f"Lecteur {n}").splitlines()[-1])
        users.append((user_id, _achats(env, "create-token", email).splitlines()[-1]))
    proc = subprocess.Popen([sys.executable, "-m", "achats", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server did not start")
    try:
        yield {"url": url, "port": port, "env": env, "redis": redis, "users": users}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        redis.stop()


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        return data


@pytest.mark.parametrize("request_bytes,status", [
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(150)) + b"\r\n", b"431"),
    (b"BR\x00KEN\r\n\r\n", b"400"),
])
def test_gunicorn_s_own_error_answers_carry_the_headers(server: dict[str, Any], request_bytes: bytes,
                                                        status: bytes) -> None:
    answer = _raw(server["port"], request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == status, head
    lowered = head.lower()
    for header in (b"x-content-type-options: nosniff", b"x-frame-options: deny", b"content-security-policy:",
                   b"referrer-policy:"):
        assert header in lowered, head
    assert b"<html" not in body.lower() and body.decode()  # French plain text


def test_socket_io_long_polling_answers_carry_the_headers(server: dict[str, Any]) -> None:
    request = urllib.request.Request(server["url"] + "/socket.io/?EIO=4&transport=polling",
                                     headers={"Origin": server["url"]})
    try:
        response = urllib.request.urlopen(request, timeout=10)
        headers = response.headers
    except urllib.error.HTTPError as exc:  # several workers: WebSocket only, polling refused
        headers = exc.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY" and headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"]


async def _client(url: str, token: str, events: list[str], stop: asyncio.Event) -> None:
    """A Socket.IO client over WebSocket (Engine.IO 4): records event names until `stop`."""
    import websockets

    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(ws_url, origin=url) as ws:
        assert (await ws.recv()).startswith("0")  # open
        await ws.send("40" + json.dumps({"token": token}))
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            if message == "2":
                await ws.send("3")  # ping -> pong
            elif message.startswith("42"):
                events.append(json.loads(message[2:])[0])
            elif message.startswith("40"):
                events.append("connected")


def _unread(url: str, token: str) -> int:
    request = urllib.request.Request(url + "/api/v1/notifications?unread=true",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(json.load(response)["unread_count"])


def _notify(env: dict[str, str], user_id: int, n: int) -> None:
    """Notifications written (and emitted) by another process, as a request of a worker would."""
    script = (
        "from achats import create_app\n"
        "from achats.platform.extensions import db\n"
        "from achats.platform.notifications.services import notify\n"
        "from achats.auth.models import User\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    user = db.session.get(User, {user_id})\n"
        f"    for i in range({n}):\n"
        "        notify(db.session, user, 'role_changed', None, None, f'Notification {i}')\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, timeout=120)


def test_a_redis_outage_loses_no_live_notification(server: dict[str, Any]) -> None:
    """Every open page is told to re-fetch within 30 s of an outage and within 10 s of the return,
    and GET /notifications has every notification stored meanwhile."""
    (user_id, token), (_, other_token) = server["users"]
    redis: PrivateRedis = server["redis"]

    async def scenario() -> dict[str, Any]:
        stop = asyncio.Event()
        events: list[list[str]] = [[], [], [], []]
        # Two sockets of the user and two of another, spread over the two workers by the kernel.
        clients = [asyncio.create_task(_client(server["url"], tok, ev, stop))
                   for tok, ev in zip((token, token, other_token, other_token), events, strict=True)]
        await asyncio.sleep(3)
        before = _unread(server["url"], token)
        redis.stop()
        started = time.monotonic()
        await asyncio.to_thread(_notify, server["env"], user_id, 3)
        down_hint = None
        while time.monotonic() - started < 35 and down_hint is None:
            if all("resync" in ev for ev in events):
                down_hint = time.monotonic() - started
            await asyncio.sleep(0.2)
        for ev in events:
            ev.clear()
        redis.start()
        back = time.monotonic()
        back_hint = None
        while time.monotonic() - back < 15 and back_hint is None:
            if all("resync" in ev for ev in events):
                back_hint = time.monotonic() - back
            await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*clients, return_exceptions=True)
        return {"before": before, "down_hint": down_hint, "back_hint": back_hint}

    result = asyncio.run(scenario())
    assert result["down_hint"] is not None and result["down_hint"] <= 30, result
    assert result["back_hint"] is not None and result["back_hint"] <= 10, result
    # What the pages fetch on the hint: every notification stored during the outage.
    assert _unread(server["url"], token) == result["before"] + 3
