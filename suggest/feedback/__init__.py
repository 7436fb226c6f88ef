"""Agents' feedback on suggestions and the log of replies sent alone: durable storage (SQLite)
and the report built from them."""

from suggest.feedback.auto_replies import AutoReply, ConversationLog
from suggest.feedback.report import AutoReplies, Gap, Report, TemplateStats, build_report, format_report
from suggest.feedback.store import DB_NAME, OUTCOMES, SCHEMA_VERSION, Feedback, FeedbackStore, default_path

__all__ = [
    "AutoReplies",
    "AutoReply",
    "ConversationLog",
    "DB_NAME",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "Feedback",
    "FeedbackStore",
    "Gap",
    "Report",
    "TemplateStats",
    "build_report",
    "default_path",
    "format_report",
]
