"""Start `suggest serve` in a child process on a free loopback port, for the benchmark scripts."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(serve_args: list[str], timeout: float, who: str, quiet: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """The server process and its URL, once /readyz answers; SystemExit if it dies or is late.

    `quiet` keeps the server's output to itself, and shows its last error lines if it dies."""
    port = free_port()
    command = [sys.executable, "-c", "from suggest.cli import entry; entry()", "serve", "--port", str(port),
               "--log-level", "warning", *serve_args]
    output = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE} if quiet else {}
    process = subprocess.Popen(command, cwd=REPO, **output)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout  # a first run converts the default model: minutes
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = process.stderr.read().decode()[-2000:] if process.stderr else f"status {process.returncode}"
            raise SystemExit(f"{who}: suggest serve exited: {detail}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"{who}: suggest serve was not ready after {timeout:.0f} s")
