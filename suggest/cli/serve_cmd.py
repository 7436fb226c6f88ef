"""`suggest serve`: the HTTP service (docs/api.md) on uvicorn.

The knowledge, rules and model are checked and loaded before uvicorn starts, so a broken
knowledge file or a missing model is one clean line on stderr instead of a server that fails
while starting; the index is opened (built if needed) once the server listens.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
from typing import Any

from suggest.cli.common import add_knowledge_options
from suggest.config import Settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


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

    settings = Settings.load(
        knowledge_dir=args.knowledge, index_dir=args.index, model=args.model, host=args.host, port=args.port
    ).serving()
    # What can be wrong with the set-up is checked before listening, each as one line: the data
    # directory, every knowledge and rule file, the model. The index (a build can take minutes)
    # is opened once the server listens, so /healthz answers meanwhile.
    FeedbackStore.for_settings(settings).close()
    knowledge = validate_knowledge(settings)
    embedder = open_embedder(settings)
    app = create_app(settings, embedder=embedder, progress=True, knowledge=knowledge)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port,
                                           log_config=log_config(args.log_level),
                                           access_log=False))  # suggest.api logs each request, with its id
    service = app.state.service
    service.on_fatal = lambda: setattr(server, "should_exit", True)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it shut down for
        server.run()
    if service.load_error is not None:
        return 1  # the service logged why
    # uvicorn could not start (the port taken, say) and has logged why; its own exit status for it.
    return 0 if server.started else 3


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
