"""The real server on a free loopback port, talked to over TCP with httpx.

One test runs uvicorn in a thread (so the reload can be slowed down and watched); one starts
`suggest serve` as a subprocess, as an operator would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np
import pytest
import uvicorn
from script_modules import load_script

from suggest.api import create_app
from suggest.config import Settings
from suggest.embedding.hashing import HashEmbedder
from suggest.engine import Suggester

TOKEN = "t0p-secret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEW_TEMPLATE = """
- id: warehouse-sunday
  intent: 周日发货
  questions: [仓库周日上班吗, 周末发货吗]
  answer: 亲，仓库周末正常发货哦。
"""


class SlowToBuild(HashEmbedder):
    """Encodes answers slowly, which only index builds do: a reload then takes long enough
    for many requests to arrive while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.building = threading.Event()

    def encode_documents(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if self.building.is_set():
            time.sleep(1.0)
        return super().encode_documents(texts, batch_size, progress)


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Settings, SlowToBuild]]:
    settings = settings.with_(data_dir=tmp_path / "var", admin_token=TOKEN)
    embedder = SlowToBuild()
    app = create_app(settings, Suggester.open(settings, embedder=embedder))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port; no race with other tests
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", settings, embedder
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_the_real_server_answers_over_tcp(server: tuple[str, Settings, SlowToBuild]):
    url, _, _ = server
    with httpx.Client(base_url=url, timeout=10) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/readyz").json()["ready"] is True
        response = http.post("/v1/suggest", json={"message": "亲 能开票不", "platform": "tmall"})
        assert response.status_code == 200
        assert response.json()["suggestions"][0]["source"]["id"] == "invoice"
        assert response.headers["x-request-id"] == response.json()["request_id"]
        too_big = http.post("/v1/suggest", json={"message": "好" * 40_000})
        assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "payload_too_large"
        assert http.post("/v1/suggest", content=b"\x00\xff" * 100, headers={"content-type": "application/json"}
                         ).status_code in (400, 422)
        assert "suggest_http_requests_total" in http.get("/metrics").text


def test_reload_under_load_fails_no_request(server: tuple[str, Settings, SlowToBuild]):
    url, settings, embedder = server
    (settings.knowledge_dir / "templates" / "extra.yaml").write_text(NEW_TEMPLATE, encoding="utf-8")
    embedder.building.set()
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def hammer() -> None:
        with httpx.Client(base_url=url, timeout=10) as http:
            while not stop.is_set():
                try:
                    response = http.post("/v1/suggest", json={"message": "仓库周日上班吗"})
                    ids = [s["source"]["id"] for s in response.json().get("suggestions", [])]
                    top = ids[0] if ids else None
                    outcome = f"{response.status_code}:{'new' if top == 'warehouse-sunday' else 'old'}"
                except httpx.HTTPError as exc:
                    outcome = f"error:{type(exc).__name__}"
                with lock:
                    outcomes[outcome] += 1

    clients = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in clients:
        thread.start()
    with httpx.Client(base_url=url, timeout=10) as http:
        time.sleep(0.2)
        assert http.post("/v1/admin/reload", headers=AUTH).status_code == 202
        answered_while_running = 0
        deadline = time.monotonic() + 30
        while (status := http.get("/v1/admin/reload", headers=AUTH).json())["state"] == "running":
            answered_while_running += 1
            assert http.get("/healthz").status_code == 200
            assert time.monotonic() < deadline, "reload did not finish"
            time.sleep(0.05)
        time.sleep(0.3)
    stop.set()
    for thread in clients:
        thread.join(10)
    assert status["state"] == "succeeded", status
    assert answered_while_running > 3
    assert set(outcomes) == {"200:old", "200:new"}, outcomes  # zero failures, and the swap happened
    assert outcomes["200:old"] > 10 and outcomes["200:new"] > 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_suggest_serve_starts_the_service(settings: Settings, tmp_path: Path):
    port = free_port()
    env = {**os.environ, "SUGGEST_MODEL": "hash", "SUGGEST_DATA_DIR": str(tmp_path / "var"), "SUGGEST_MIN_SCORE": "0"}
    command = [sys.executable, "-c", "from suggest.cli import entry; entry()", "serve", "--port", str(port),
               "--knowledge", str(settings.knowledge_dir), "--index", str(tmp_path / "index"), "--log-level", "debug"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "suggest serve did not become ready"
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        response = httpx.post(f"{url}/v1/suggest", json={"message": "电话13812345678 能开发票吗"}, timeout=10)
        assert response.status_code == 200
        request_id = response.json()["request_id"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert f"[{request_id}] POST /v1/suggest 200" in stderr  # our access log, with the request id
    assert "13812345678" not in stderr and "138****5678" in stderr
    assert "Traceback" not in stderr and "Waiting for application shutdown" in stderr, stderr


def test_suggest_serve_stops_with_one_line_when_its_first_index_cannot_be_built(settings: Settings, tmp_path: Path):
    (tmp_path / "a-file").write_text("not a folder")
    env = {**os.environ, "SUGGEST_MODEL": "hash", "SUGGEST_DATA_DIR": str(tmp_path / "var")}
    command = [sys.executable, "-c", "from suggest.cli import entry; entry()", "serve", "--port", str(free_port()),
               "--knowledge", str(settings.knowledge_dir), "--index", str(tmp_path / "a-file" / "index")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cannot serve: cannot write the index in" in done.stderr and "Not a directory" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_suggest_serve_reports_a_broken_knowledge_file_in_one_line(settings: Settings, tmp_path: Path):
    (settings.knowledge_dir / "templates" / "main.yaml").write_text("- id: a\n  answer: 亲\n", encoding="utf-8")
    command = [sys.executable, "-c", "from suggest.cli import entry; entry()", "serve", "--port", str(free_port()),
               "--knowledge", str(settings.knowledge_dir), "--index", str(tmp_path / "index"), "--model", "hash"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("suggest: ") and "main.yaml:1:" in done.stderr and "Traceback" not in done.stderr


def test_suggest_serve_reports_an_unusable_data_directory_in_one_line(settings: Settings, tmp_path: Path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    command = [sys.executable, "-c", "from suggest.cli import entry; entry()", "serve", "--port", str(free_port()),
               "--knowledge", str(settings.knowledge_dir), "--index", str(tmp_path / "index"), "--model", "hash"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SUGGEST_DATA_DIR": str(blocker / "var")})
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("suggest: configuration: cannot open the feedback database")
    assert "Traceback" not in done.stderr and not (tmp_path / "index").exists()  # before any build


def test_the_cli_lists_serve_and_report():
    done = subprocess.run([sys.executable, "-c", "from suggest.cli import entry; entry()", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert "serve" in done.stdout and "report" in done.stdout


def test_the_load_script_runs_against_a_server(server: tuple[str, Settings, SlowToBuild]):
    import asyncio

    url, _, _ = server
    load_test = load_script("load_test")
    figures = asyncio.run(load_test.run_load(url, clients=2, requests=40, warmup=2))
    assert figures.errors == {} and len(figures.latencies) == 40
    assert 0 < figures.percentile(50) <= figures.percentile(99)


def test_the_load_script_writes_only_its_own_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    load_test = load_script("load_test")
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n## Other\nkept\n\n{load_test.START}\nold\n{load_test.END}\n\n## After\nkept too\n",
                   encoding="utf-8")
    monkeypatch.setattr(load_test, "DOC", doc)
    load_test.write_section("## HTTP load test\nnew figures")
    assert doc.read_text(encoding="utf-8") == (
        f"# Performance\n\n## Other\nkept\n\n{load_test.START}\n## HTTP load test\nnew figures\n{load_test.END}"
        "\n\n## After\nkept too\n")
    doc.unlink()
    load_test.write_section("first")
    assert doc.read_text(encoding="utf-8") == f"# Performance\n\n{load_test.START}\nfirst\n{load_test.END}\n"
