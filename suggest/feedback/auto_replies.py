"""The log of replies sent without an agent (the off-hours auto-reply), in the feedback database.

It is also the conversation state: what a conversation was already sent, and when, decides
whether a notice may go again (suggest.autoreply.decide). `SCHEMA` is migration 2 of
suggest.feedback.store, `UNANSWERED_SCHEMA` migration 3: the messages that got no reply at all
because their conversation had had its notice (`already_notified`), so that the owner sees in
the morning who threatened 12315 after the holding message; the queries take the store's
connection, inside its lock.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
    CREATE TABLE auto_replies (
        id           INTEGER PRIMARY KEY,
        created_at   TEXT NOT NULL,      -- UTC, ISO 8601: when it was decided
        at           TEXT NOT NULL,      -- the message's time, ISO 8601 with the shop's offset
        platform     TEXT NOT NULL,
        shop         TEXT NOT NULL,
        conversation TEXT NOT NULL,
        reason       TEXT NOT NULL,      -- answer | needs_human | off_hours | agent_busy
        text         TEXT NOT NULL,      -- what was sent
        source       TEXT,               -- kind:id of an answer
        score        REAL,               -- its calibrated probability
        message      TEXT NOT NULL,      -- the customer's message
        request_id   TEXT
    );
    CREATE INDEX auto_replies_conversation ON auto_replies (platform, shop, conversation);
    CREATE INDEX auto_replies_reason ON auto_replies (reason);
"""

UNANSWERED_SCHEMA = """
    CREATE TABLE auto_reply_unanswered (
        id           INTEGER PRIMARY KEY,
        created_at   TEXT NOT NULL,      -- UTC, ISO 8601: when it was decided
        at           TEXT NOT NULL,      -- the message's time, ISO 8601 with the shop's offset
        platform     TEXT NOT NULL,
        shop         TEXT NOT NULL,
        conversation TEXT NOT NULL,
        needs_human  INTEGER NOT NULL,   -- 1: a complaint, a fault, a threat: a person's first
        flags        TEXT NOT NULL,      -- the engine's flags, separated by char(31)
        message      TEXT NOT NULL,      -- the customer's message
        request_id   TEXT
    );
    CREATE INDEX auto_reply_unanswered_needs_human ON auto_reply_unanswered (needs_human);
"""

_COLUMNS = "created_at, at, platform, shop, conversation, reason, text, source, score, message, request_id"
_UNANSWERED_COLUMNS = "created_at, at, platform, shop, conversation, needs_human, flags, message, request_id"


@dataclass(frozen=True)
class AutoReply:
    """One reply sent alone to a conversation."""

    at: datetime
    platform: str
    shop: str
    conversation: str
    reason: str
    text: str
    message: str
    source: str | None = None
    score: float | None = None
    request_id: str | None = None
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(), "platform": self.platform, "shop": self.shop,
            "conversation": self.conversation, "reason": self.reason, "text": self.text,
            "message": self.message, "source": self.source,
            "score": None if self.score is None else round(self.score, 4),
        }


@dataclass(frozen=True)
class Unanswered:
    """A message the auto-reply sent nothing to: its conversation had had its notice."""

    at: datetime
    platform: str
    shop: str
    conversation: str
    needs_human: bool
    message: str
    flags: tuple[str, ...] = ()
    request_id: str | None = None
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "platform": self.platform, "shop": self.shop,
                "conversation": self.conversation, "needs_human": self.needs_human, "flags": list(self.flags),
                "message": self.message}


def insert_unanswered(db: sqlite3.Connection, item: Unanswered) -> int:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    cursor = db.execute(
        f"INSERT INTO auto_reply_unanswered ({_UNANSWERED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now, item.at.isoformat(), item.platform, item.shop, item.conversation, int(item.needs_human),
         "\x1f".join(item.flags), item.message, item.request_id),
    )
    return int(cursor.lastrowid or 0)


def unanswered_counts(db: sqlite3.Connection) -> tuple[int, int]:
    """(messages sent nothing, of them needing a person)."""
    total, needing = db.execute("SELECT COUNT(*), COALESCE(SUM(needs_human), 0) FROM auto_reply_unanswered").fetchone()
    return int(total), int(needing)


def latest_unanswered(db: sqlite3.Connection, limit: int) -> list[Unanswered]:
    """The `limit` latest of them, those needing a person first."""
    rows = db.execute(
        f"SELECT {_UNANSWERED_COLUMNS} FROM auto_reply_unanswered ORDER BY needs_human DESC, id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [
        Unanswered(at=datetime.fromisoformat(at), platform=platform, shop=shop, conversation=conversation,
                   needs_human=bool(needs_human), message=message, flags=tuple(f for f in flags.split("\x1f") if f), request_id=request_id,
                   created_at=created_at)
        for created_at, at, platform, shop, conversation, needs_human, flags, message, request_id in rows
    ]


def conversation_history(db: sqlite3.Connection, platform: str, shop: str, conversation: str) -> list[AutoReply]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM auto_replies WHERE platform = ? AND shop = ? AND conversation = ? ORDER BY id",
        (platform, shop, conversation),
    ).fetchall()
    return [_row(r) for r in rows]


def insert(db: sqlite3.Connection, reply: AutoReply) -> int:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    cursor = db.execute(
        f"INSERT INTO auto_replies ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now, reply.at.isoformat(), reply.platform, reply.shop, reply.conversation, reply.reason, reply.text,
         reply.source, reply.score, reply.message, reply.request_id),
    )
    return int(cursor.lastrowid or 0)


def counts_by_reason(db: sqlite3.Connection) -> dict[str, int]:
    rows = db.execute("SELECT reason, COUNT(*) FROM auto_replies GROUP BY reason ORDER BY COUNT(*) DESC, reason")
    return {str(reason): int(count) for reason, count in rows.fetchall()}


def messages_with_reason(db: sqlite3.Connection, reason: str) -> list[str]:
    """The customer messages of the replies sent for `reason`, newest first."""
    rows = db.execute("SELECT message FROM auto_replies WHERE reason = ? ORDER BY id DESC", (reason,)).fetchall()
    return [str(r[0]) for r in rows]


def latest(db: sqlite3.Connection, limit: int) -> list[AutoReply]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM auto_replies ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [_row(r) for r in rows]


def _row(row: tuple[Any, ...]) -> AutoReply:
    created_at, at, platform, shop, conversation, reason, text, source, score, message, request_id = row
    return AutoReply(
        at=datetime.fromisoformat(at), platform=platform, shop=shop, conversation=conversation, reason=reason,
        text=text, message=message, source=source, score=score, request_id=request_id, created_at=created_at,
    )


class ConversationLog:
    """One conversation's auto-replies, read and written inside one write transaction, so two
    messages of a conversation decided at once cannot both send the same notice."""

    def __init__(self, db: sqlite3.Connection, platform: str, shop: str, conversation: str) -> None:
        self._db = db
        self.history = conversation_history(db, platform, shop, conversation)

    def record(self, reply: AutoReply) -> int:
        row_id = insert(self._db, reply)
        self.history.append(reply)
        return row_id

    def record_unanswered(self, item: Unanswered) -> int:
        return insert_unanswered(self._db, item)
