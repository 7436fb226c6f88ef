"""Compliance filter: per-platform rules that every candidate reply passes before it is shown or sent.

Rules are data (knowledge/rules/, format in docs/compliance.md). Text is normalised first
(normalize.py) so evasions such as 微.信, ①③⑧ or V信 are caught; spans are reported in the
original text. Torch-free: importing this package loads no model.

    book = load_rules(knowledge_dir)            # or load_rules(None) for the defaults
    book.check(text, "pdd").to_dict()           # {"ok": ..., "violations": [...]}
    book.apply(text, "tmall")                   # FilterOutcome: dropped / masked / needs_human
    book.analyze_inbound(message, "tmall")      # Inbound: needs_human, reasons, topics
    check_text(text)                            # InputError for an empty, overlong or binary text
"""

from suggest.compliance.inbound import TOPICS
from suggest.compliance.normalize import Normalized, View, normalize
from suggest.compliance.reply_text import check_text
from suggest.compliance.results import CheckResult, FilterOutcome, Inbound, Violation
from suggest.compliance.rule import ACTIONS, SEVERITIES, Rule
from suggest.compliance.rulebook import DEFAULT_RULES_DIR, RuleBook, analyze_inbound, default_rulebook, load_rules

__all__ = [
    "ACTIONS",
    "DEFAULT_RULES_DIR",
    "SEVERITIES",
    "TOPICS",
    "CheckResult",
    "FilterOutcome",
    "Inbound",
    "Normalized",
    "Rule",
    "RuleBook",
    "View",
    "Violation",
    "analyze_inbound",
    "check_text",
    "default_rulebook",
    "load_rules",
    "normalize",
]
