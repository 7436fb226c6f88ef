"""Agents' feedback on suggestions, kept in SQLite.

One file (`<data_dir>/feedback.sqlite3`), WAL journal so the report can read while the service
writes, `synchronous=FULL` so an acknowledged feedback survives a power cut. The schema carries
its version in `PRAGMA user_version`; `MIGRATIONS` upgrades older files in order on open.

The off-hours auto-reply keeps its log and conversation state here too (migration 2, the
`auto_replies` table of suggest.feedback.auto_replies): one database, one schema version.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from suggest.config import Settings, require_platform
from suggest.errors import ConfigError, InputError
from suggest.feedback import auto_replies
from suggest.feedback.auto_replies import AutoReply, ConversationLog

DB_NAME = "feedback.sqlite3"

Outcome = Literal["sent", "edited", "none"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

# Append only: entry i upgrades a file from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE feedback (
        id          INTEGER PRIMARY KEY,
        created_at  TEXT NOT NULL,              -- UTC, ISO 8601
        request_id  TEXT NOT NULL,              -- of the /v1/suggest call that was shown
        message     TEXT NOT NULL,              -- the customer's message
        platform    TEXT NOT NULL,
        shop        TEXT,
        outcome     TEXT NOT NULL CHECK (outcome IN ('sent', 'edited', 'none')),
        source      TEXT,                       -- id of the suggestion sent or edited
        sent_text   TEXT                        -- what the agent finally sent, when known
    );
    CREATE INDEX feedback_outcome ON feedback (outcome);
    CREATE INDEX feedback_request ON feedback (request_id);
    -- The suggestions that were shown, in order: acceptance is counted per shown suggestion.
    CREATE TABLE feedback_shown (
        feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        source      TEXT NOT NULL,
        PRIMARY KEY (feedback_id, position)
    );
    CREATE INDEX feedback_shown_source ON feedback_shown (source);
    """,
    auto_replies.SCHEMA,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Feedback:
    """What the agent did with the suggestions of one request."""

    request_id: str
    message: str
    platform: str
    outcome: str
    shown: tuple[str, ...] = ()
    source: str | None = None
    sent_text: str | None = None
    shop: str | None = None

    def __post_init__(self) -> None:
        require_platform(self.platform)
        if self.outcome not in OUTCOMES:
            raise InputError(f"outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")
        if not self.message.strip():
            raise InputError("the message is empty")
        if self.outcome == "none":
            if self.source is not None:
                raise InputError("outcome 'none' means no suggestion was used, so source must be null")
            return
        if self.source is None:
            raise InputError(f"outcome {self.outcome!r} needs the source id of the suggestion that was used")
        if self.shown and self.source not in self.shown:
            raise InputError(f"source {self.source!r} is not among the suggestions shown ({', '.join(self.shown)})")
        if self.outcome == "edited" and not (self.sent_text or "").strip():
            raise InputError("outcome 'edited' needs sent_text, the text the agent actually sent")


class FeedbackStore:
    """A connection to the feedback database, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection guarded by a lock: writes are tiny and SQLite serialises them anyway.
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._refuse_foreign()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the feedback database {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(default_path(settings))

    def _refuse_foreign(self) -> None:
        """Tables but no schema version of ours: another program's database, left as it is."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            self._db.close()
            raise ConfigError(f"{self.path} is not a suggest feedback database (it holds other tables)")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"{self.path} has schema version {version}; this version of suggest reads up to {SCHEMA_VERSION}"
            )
        for number in range(version, SCHEMA_VERSION):
            # The schema change and its version number commit together or not at all.
            self._db.executescript(f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;")

    def record(self, feedback: Feedback) -> int:
        """Store one feedback; returns its id once it is on disk."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            cursor = self._db.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute(
                    "INSERT INTO feedback (created_at, request_id, message, platform, shop, outcome, source, sent_text)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (now, feedback.request_id, feedback.message, feedback.platform, feedback.shop,
                     feedback.outcome, feedback.source, feedback.sent_text),
                )
                row_id = int(cursor.lastrowid or 0)
                cursor.executemany(
                    "INSERT INTO feedback_shown (feedback_id, position, source) VALUES (?, ?, ?)",
                    [(row_id, position, source) for position, source in enumerate(feedback.shown)],
                )
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        return row_id

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def acceptance_rows(self) -> list[tuple[str, int, int, int]]:
        """(source, times shown, times sent as is, times sent edited), most shown first."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT s.source, COUNT(*),
                       SUM(f.outcome = 'sent' AND f.source = s.source),
                       SUM(f.outcome = 'edited' AND f.source = s.source)
                FROM feedback_shown s JOIN feedback f ON f.id = s.feedback_id
                GROUP BY s.source ORDER BY COUNT(*) DESC, s.source
                """
            ).fetchall()
        return [(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    def unused(self) -> Iterator[tuple[str, int, str | None]]:
        """(message, suggestions shown, agent's own reply) of every feedback where none was used,
        newest first."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT f.message, (SELECT COUNT(*) FROM feedback_shown s WHERE s.feedback_id = f.id), f.sent_text
                FROM feedback f WHERE f.outcome = 'none' ORDER BY f.id DESC
                """
            ).fetchall()
        for message, shown, sent_text in rows:
            yield str(message), int(shown), sent_text

    # ------------------------------------------------------------------ auto-replies
    @contextmanager
    def conversation(self, platform: str, shop: str, conversation: str) -> Iterator[ConversationLog]:
        """What one conversation was sent alone, locked until the block ends; what the block
        records is committed (on disk) at its end, or not at all if it raises."""
        with self._lock:
            cursor = self._db.cursor()
            # IMMEDIATE takes the write lock now: another process (the CLI) waits instead of
            # deciding on the same history.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield ConversationLog(self._db, platform, shop, conversation)
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise

    def auto_reply_counts(self) -> dict[str, int]:
        """Replies sent alone, by reason, most frequent first."""
        with self._lock:
            return auto_replies.counts_by_reason(self._db)

    def latest_auto_replies(self, limit: int = 10) -> list[AutoReply]:
        """The `limit` latest replies sent alone, newest first."""
        with self._lock:
            return auto_replies.latest(self._db, limit)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def default_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / DB_NAME
