"""The shop's own texts that may be sent without an agent (off-hours, holding and busy messages)
must obey the platform rules like any template: checked when the knowledge is loaded, with the
file and line of the message that breaks a rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from suggest.errors import ComplianceError
from suggest.knowledge import KnowledgeBase, fill

if TYPE_CHECKING:
    from suggest.engine.filters import ReplyFilter

# Every shape {return_time} takes (suggest.autoreply.schedule.format_return_time).
SAMPLE_RETURN_TIMES = ("今天13:30", "明天09:30", "后天09:30", "2月17日（周二）09:30", "2027年1月4日（周一）09:30")


def check_notices(kb: KnowledgeBase, reply_filter: ReplyFilter) -> None:
    """Raise ComplianceError (file, line, rule) if a shop's notice breaks a rule of a platform it
    sells on, or would be flagged for a person: a notice is only ever sent alone."""
    for shop in kb.shops.values():
        hours = shop.hours
        if hours is None:
            continue
        for key, message in hours.messages().items():
            texts = {fill(message, {"return_time": sample}) or message for sample in SAMPLE_RETURN_TIMES}
            for text in sorted(texts):
                for platform in shop.platforms:
                    outcome = reply_filter.apply(text, platform, shop.id)
                    if outcome.violations or outcome.needs_human or outcome.text != text:
                        rule = outcome.violations[0] if outcome.violations else None
                        quoted = f" at 「{text[rule.span[0]:rule.span[1]]}」: {rule.message}" if rule else ""
                        raise ComplianceError(
                            hours.file, hours.lines.get(key),
                            f"shop {shop.id!r}: {key} breaks rule {rule.rule if rule else '?'} on {platform}{quoted}",
                        )
