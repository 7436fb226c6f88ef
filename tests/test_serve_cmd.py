"""`suggest serve` on an address it cannot take: one line and exit 1, before any load or build."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from suggest.cli import main
from suggest.cli.serve_cmd import ListenError, probe_address


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another process listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_port_in_use_is_one_line_before_the_build(taken_port: int, knowledge_dir: Path, tmp_path: Path, capsys,
                                                   monkeypatch):
    """It used to build the index first, then print uvicorn's lines and exit 3."""
    monkeypatch.setenv("SUGGEST_DATA_DIR", str(tmp_path / "var"))
    index = tmp_path / "index"
    argv = ["serve", "--port", str(taken_port), "--knowledge", str(knowledge_dir), "--index", str(index), "--model", "hash"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.err == f"suggest: cannot listen on 127.0.0.1:{taken_port}: address already in use\n"
    assert captured.out == "" and not index.exists() and not (tmp_path / "var").exists()


def test_the_probe_takes_a_free_port_and_names_what_is_wrong(taken_port: int):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = int(sock.getsockname()[1])
    probe_address("127.0.0.1", free)  # closed again: the port stays free for uvicorn
    probe_address("127.0.0.1", free)
    with pytest.raises(ListenError, match=f"cannot listen on localhost:{taken_port}: address already in use"):
        probe_address("localhost", taken_port)
    with pytest.raises(ListenError, match=r"^cannot listen on nosuch\.invalid:8000: "):
        probe_address("nosuch.invalid", 8000)


def test_a_port_taken_after_the_probe_still_exits_1(taken_port: int, knowledge_dir: Path, tmp_path: Path):
    """The port may be taken between the probe and uvicorn's bind: uvicorn logs why, and the exit
    status is 1, as for the other start-up checks, not uvicorn's own 3."""
    code = ("import suggest.cli.serve_cmd as serve; serve.probe_address = lambda host, port: None; "
            "from suggest.cli import entry; entry()")
    command = [sys.executable, "-c", code, "serve", "--port", str(taken_port), "--knowledge", str(knowledge_dir),
               "--index", str(tmp_path / "index"), "--model", "hash"]
    env = {**os.environ, "SUGGEST_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "address already in use" in done.stderr and "Traceback" not in done.stderr
