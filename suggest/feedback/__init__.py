"""Agents' feedback on suggestions: durable storage (SQLite) and the report built from it."""

from suggest.feedback.report import Gap, Report, TemplateStats, build_report, format_report
from suggest.feedback.store import DB_NAME, OUTCOMES, SCHEMA_VERSION, Feedback, FeedbackStore, default_path

__all__ = [
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
