"""`suggest serve`: the HTTP service (docs/api.md) on uvicorn.

The knowledge, rules, model and index are opened here, before uvicorn starts, so a broken
knowledge file or a missing model is one clean line on stderr instead of a server that fails
while starting.
"""

from __future__ import annotations

import argparse
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
    from suggest.engine import Suggester

    settings = Settings.load(
        knowledge_dir=args.knowledge, index_dir=args.index, model=args.model, host=args.host, port=args.port
    ).serving()
    from suggest.feedback import FeedbackStore

    # The data directory must be usable before minutes go into the model and the index: a bad
    # one is one line here, not a start-up traceback afterwards.
    FeedbackStore.for_settings(settings).close()
    suggester = Suggester.open(settings, progress=True)  # knowledge, rules, model, index
    app = create_app(settings, suggester=suggester)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=log_config(args.log_level),
                access_log=False)  # suggest.api logs each request itself, with its id and latency
    return 0


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
