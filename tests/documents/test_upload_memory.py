"""A 50 MiB upload to the production server (`achats serve`, gunicorn + gevent) streams to disk:
the web worker's memory grows by less than 20 MiB while it receives, checks and stores the file.
Sent chunked (no Content-Length), as a browser's or a script's streamed upload may be."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.conftest import free_port
from tests.documents import files

MIB = 1024 * 1024


def _achats(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "achats", *args], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("upload-memory")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACHATS_")}
    env.update({
        "ACHATS_DATABASE_URL": f"sqlite:///{base / 'server.db'}", "ACHATS_SECRET_KEY": "s" * 40,
        "ACHATS_PORT": str(port), "ACHATS_TASKS_DB": str(base / "tasks.db"), "ACHATS_UPLOAD_DIR": str(base / "up"),
        "ACHATS_REQUIRE_APPROVAL": "false", "ACHATS_LOG_LEVEL": "warning", "ACHATS_EMBEDDED_WORKER": "false",
        "TMPDIR": str(base),
    })
    _achats(env, "init")
    _achats(env, "create-user", "grosfichier@commune-test.fr", "--name", "Gros Fichier")
    token = _achats(env, "create-token", "grosfichier@commune-test.fr").splitlines()[-1]
    proc = subprocess.Popen([sys.executable, "-m", "achats", "serve", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start")
    try:
        yield {"port": port, "token": token, "pid": proc.pid, "base": base}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _worker(master_pid: int) -> psutil.Process:
    master = psutil.Process(master_pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = [c for c in master.children(recursive=True) if "achats worker" not in " ".join(c.cmdline())]
        if workers:
            return workers[0]
        time.sleep(0.2)
    raise RuntimeError("no web worker")


def _big_pdf(size: int) -> bytes:
    """A valid PDF of `size` bytes: one page, plus an unused stream of filler."""
    filler = b"0123456789abcdef" * (size // 16)
    stream = b"<< /Length " + str(len(filler)).encode() + b" >>\nstream\n" + filler + b"\nendstream"
    data = files.raw_pdf(extra_objects=[stream])
    excess = len(data) - size
    if excess > 0:
        filler = filler[:-excess]
        stream = b"<< /Length " + str(len(filler)).encode() + b" >>\nstream\n" + filler + b"\nendstream"
        data = files.raw_pdf(extra_objects=[stream])
    return data


def test_a_50_mib_upload_streams_to_disk(server: dict[str, Any]) -> None:
    data = _big_pdf(50 * MIB - 4096)
    boundary = "frontiere-de-test"
    fields = {"title": "DCE complet de la réhabilitation", "doc_type": "cctp", "confirm_redaction": "1"}
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="dce.pdf"\r\n'
             f"Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        for start in range(0, len(data), 256 * 1024):
            yield data[start:start + 256 * 1024]
            time.sleep(0.002)  # a network, not a memcpy: the server reads while we send
        yield tail

    worker = _worker(server["pid"])
    for _ in range(3):  # warm the worker (imports, first queries) before measuring
        urllib.request.urlopen(f"http://127.0.0.1:{server['port']}/healthz", timeout=5).read()
    baseline = worker.memory_info().rss
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], worker.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=120)
        conn.request("POST", "/api/v1/documents", body=body(), encode_chunked=True, headers={
            "Authorization": f"Bearer {server['token']}", "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Transfer-Encoding": "chunked"})
        response = conn.getresponse()
        payload = json.loads(response.read())
    finally:
        done.set()
        sampler.join()
    assert response.status == 201, payload
    assert payload["size"] == len(data)
    growth = (peak[0] - baseline) / MIB
    print(f"\nworker RSS: baseline {baseline / MIB:.1f} MiB, peak {peak[0] / MIB:.1f} MiB, growth {growth:.1f} MiB")
    assert growth < 20, f"the worker grew by {growth:.1f} MiB during a 50 MiB upload"
    stored = [p for p in Path(server["base"], "up").rglob("*") if p.is_file()]
    assert [p.stat().st_size for p in stored] == [len(data)]
    leftovers = [p.name for p in Path(server["base"]).iterdir() if p.name.startswith("tmp")]
    assert leftovers == []
