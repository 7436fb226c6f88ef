"""Keep customers' phone numbers and addresses out of the logs.

Customer messages reach the logs through debug lines, error messages that quote what was sent,
and tracebacks. `MaskingFilter` rewrites every record before any handler formats it, so no
handler can forget. Masking errs on the side of hiding too much: a log line that loses a few
extra characters costs nothing, a leaked address does.
"""

from __future__ import annotations

import contextvars
import logging

from suggest.text.personal_data import ADDRESS_MASK, mask_personal_data

# The request being served, for log lines written anywhere while it is handled.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

__all__ = ["ADDRESS_MASK", "REQUEST_ID", "MaskingFilter", "install_masking", "mask_personal_data"]


class MaskingFilter(logging.Filter):
    """Masks the message, its arguments and any traceback; adds `request_id` for formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            setattr(record, "request_id", REQUEST_ID.get())  # noqa: B010 - LogRecord declares no such field
        if getattr(record, "_masked", False):  # a record passes the logger and its handlers
            return True
        record.msg = mask_personal_data(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        setattr(record, "_masked", True)  # noqa: B010
        return True


def install_masking(*logger_names: str) -> None:
    """Attach one MaskingFilter to each named logger (idempotent).

    A filter on a logger sees only that logger's own records, so every logger that may carry
    customer text is named explicitly.
    """
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
