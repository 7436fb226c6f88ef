"""`suggest serve`: the HTTP service (docs/api.md) on uvicorn.

The address, knowledge, rules and model are checked and loaded before uvicorn starts, so a
port in use, a broken knowledge file or a missing model is one clean line on stderr instead of a
server that fails while starting; the index is opened (built if needed) once the server listens.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import socket
from typing import Any

from suggest.cli.common import add_knowledge_options, require_knowledge_dir
from suggest.config import Settings
from suggest.errors import SuggestError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class ListenError(SuggestError):
    """The address to serve on cannot be taken (in use, not this machine's, not allowed)."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="start the HTTP service (suggest, check, feedback, admin reload, metrics)")
    parser.add_argument("--host", metavar="ADDR", help="address to listen on (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, metavar="N", help="port to listen on (default 8000)")
    add_knowledge_options(parser)
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"),
                        help="log level (default info); logs never hold full phone numbers or addresses")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from suggest.api import create_app
    from suggest.api.service import validate_knowledge
    from suggest.engine.suggester import open_embedder
    from suggest.feedback import FeedbackStore

    require_knowledge_dir(args)
    settings = Settings.load(
        knowledge_dir=args.knowledge, index_dir=args.index, model=args.model, host=args.host, port=args.port
    ).serving()
    # What can be wrong with the set-up is checked before listening, each as one line: the
    # address, the data directory, every knowledge and rule file, the model. The index (a build
    # can take minutes) is opened once the server listens, so /healthz answers meanwhile.
    probe_address(settings.host, settings.port)
    FeedbackStore.for_settings(settings).close()
    knowledge = validate_knowledge(settings)
    embedder = open_embedder(settings)
    app = create_app(settings, embedder=embedder, progress=True, knowledge=knowledge)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port,
                                           log_config=log_config(args.log_level),
                                           access_log=False))  # suggest.api logs each request, with its id
    service = app.state.service
    service.on_fatal = lambda: setattr(server, "should_exit", True)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it shut down for
            server.run()
    except SystemExit:
        if server.started:
            raise
        # uvicorn could not start after all (the port taken since the probe, say) and has logged
        # why; exit 1, as for any start-up check, not uvicorn's own 3.
        return 1
    if service.load_error is not None or not server.started:
        return 1  # the service or uvicorn logged why
    return 0


def probe_address(host: str, port: int) -> None:
    """ListenError unless every address `host` names can be bound at `port` now, as uvicorn will
    bind them (asyncio's create_server): said at once, not after the model load and index build.
    The probe is closed again, so another process may still take the port meanwhile."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {_where(host, port)}: {(exc.strerror or str(exc)).lower()}") from exc
    for family, kind, proto, _, address in dict.fromkeys((a[0], a[1], a[2], None, a[4]) for a in addresses):
        with socket.socket(family, kind, proto) as probe:
            if os.name == "posix":  # as asyncio: a port the last run left in TIME_WAIT is free
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # as asyncio binds it
            try:
                probe.bind(address)
            except OSError as exc:
                reason = (exc.strerror or str(exc)).lower()
                raise ListenError(f"cannot listen on {_where(host, port)}: {reason}") from exc


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, with every handler masking personal data and showing the request id."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask": {"()": "suggest.api.privacy.MaskingFilter"}}
    config["formatters"]["suggest"] = {"format": LOG_FORMAT}
    config["handlers"]["suggest"] = {
        "class": "logging.StreamHandler", "formatter": "suggest", "stream": "ext://sys.stderr", "filters": ["mask"],
    }
    for handler in config["handlers"].values():
        handler.setdefault("filters", ["mask"])
    config["loggers"]["suggest"] = {"handlers": ["suggest"], "level": level.upper(), "propagate": False}
    return config
