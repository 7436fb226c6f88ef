"""Agents' feedback on suggestions, kept in SQLite.

One file (`<data_dir>/feedback.sqlite3`), WAL journal so the report can read while the service
writes, `synchronous=FULL` so an acknowledged feedback survives a power cut. The schema carries
its version in `PRAGMA user_version`; `MIGRATIONS` upgrades older files in order on open.

The off-hours auto-reply keeps its log and conversation state here too (migration 2, the
`auto_replies` table of suggest.feedback.auto_replies): one database, one schema version.

A request gets one feedback: `record_once` gives the row already stored back for an exact repeat
(a chat tool retrying after a timeout) and raises FeedbackConflict for a different one. That is
checked inside the write transaction rather than by a UNIQUE index, which files written by
earlier versions (several rows per request_id) could not take.

`FeedbackStore.open_readonly` is for readers (`suggest report`): it never creates, migrates or
writes the file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, NamedTuple, get_args

from suggest.config import Settings, require_platform
from suggest.errors import ConfigError, InputError, StorageError, SuggestError
from suggest.feedback import auto_replies
from suggest.feedback.auto_replies import AutoReply, ConversationLog, Unanswered

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
    auto_replies.UNANSWERED_SCHEMA,
)
SCHEMA_VERSION = len(MIGRATIONS)
AUTO_REPLIES_SINCE = 2  # the schema version that added the auto_replies table
UNANSWERED_SINCE = 3  # and the one that added auto_reply_unanswered


class FeedbackConflict(InputError):
    """The request already has a feedback, and this one says something else."""

    def __init__(self, request_id: str, existing: int, differs: list[str]) -> None:
        self.request_id = request_id
        self.existing = existing
        super().__init__(
            f"request {request_id!r} already has a feedback (id {existing}) that differs in {', '.join(differs)}; "
            "a request gets one feedback: the first one stands"
        )


class NoFeedbackDatabase(SuggestError):
    """Nothing to read: no file, or an empty one."""


class Unused(NamedTuple):
    """A feedback where no suggestion was used."""

    message: str
    shown: int  # how many suggestions had been shown
    sent_text: str | None  # the agent's own reply, when known
    platform: str
    shop: str | None
    shown_sources: tuple[str, ...] = ()  # the ids of those suggestions, in the order shown


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
        object.__setattr__(self, "shown", tuple(self.shown))  # compared with the stored one as a tuple
        require_platform(self.platform)
        if self.outcome not in OUTCOMES:
            raise InputError(f"outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")
        if not self.message.strip():
            raise InputError("the message is empty")
        repeated = [source for source, times in Counter(self.shown).items() if times > 1]
        if repeated:
            # Counted once per position, a repeated id would be "shown" several times for one send.
            raise InputError(f"shown names {repeated[0]!r} {self.shown.count(repeated[0])} times; "
                             "list each suggestion shown once")
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

    def __init__(self, path: Path, readonly: bool = False) -> None:
        """Opens (creating and upgrading) the database; `readonly`: see open_readonly."""
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                self._db = self._connect_readonly()
                self._refuse_foreign()
                self._db.execute("PRAGMA busy_timeout=5000")
                self.version = self._readable_version()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # One connection guarded by a lock: writes are tiny and SQLite serialises them anyway.
                self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                self._refuse_foreign()
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._db.execute("PRAGMA busy_timeout=5000")
                self._migrate()
                self.version = SCHEMA_VERSION
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the feedback database {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(default_path(settings))

    @classmethod
    def open_readonly(cls, path: Path) -> FeedbackStore:
        """The database at `path` for reading only: nothing is created, migrated or written, not
        even SQLite's -wal and -shm files when no writer has it open. NoFeedbackDatabase when there
        is no file or an empty one (opening it for writing would have turned a typo or a 0-byte
        file into an empty database that reports "no feedback"); ConfigError for a file that is
        not a feedback database of a version this one reads."""
        path = Path(path)
        if not path.exists():
            raise NoFeedbackDatabase(f"no feedback database at {path} (the service creates it when it starts)")
        if path.is_file() and path.stat().st_size == 0:
            raise NoFeedbackDatabase(f"{path} is an empty file, not a feedback database (the service creates "
                                     "the database when it starts; this command only reads)")
        return cls(path, readonly=True)

    def _connect_readonly(self) -> sqlite3.Connection:
        # Without a -wal file no connection has the database open (the last one to close
        # checkpoints and deletes it), and a writer that opens it now appends to a new -wal, not
        # to this file, until a checkpoint: it can be read as immutable, which creates no -shm or
        # -wal beside it. With one, a reader needs the shared memory to see what the WAL holds.
        wal = self.path.with_name(self.path.name + "-wal")
        mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
        return sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True, check_same_thread=False,
                               isolation_level=None)

    def _readable_version(self) -> int:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version == 0:  # a SQLite file with nothing in it (_refuse_foreign let it through)
            self._db.close()
            raise NoFeedbackDatabase(f"{self.path} holds no feedback database yet (the service creates it when "
                                     "it starts; this command only reads)")
        if version > SCHEMA_VERSION:
            self._db.close()
            raise ConfigError(
                f"{self.path} has schema version {version}; this version of suggest reads up to {SCHEMA_VERSION}"
            )
        return version  # an older one is read as it is: the tables it lacks are empty

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
        """Store one feedback; returns its id once it is on disk (see record_once)."""
        return self.record_once(feedback)[0]

    def record_once(self, feedback: Feedback) -> tuple[int, bool]:
        """Store one feedback: (its id once it is on disk, True); for an exact repeat of the
        feedback already stored for its request, (that one's id, False) and nothing is written.
        FeedbackConflict if the request already has a different feedback."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._writing("a feedback"):
            cursor = self._db.cursor()
            try:
                # IMMEDIATE: the write lock is taken before the look-up, so two copies of one
                # feedback sent at once (even to two processes) cannot both be inserted.
                cursor.execute("BEGIN IMMEDIATE")
                stored = self._stored_for(cursor, feedback.request_id)
                if stored:
                    cursor.execute("ROLLBACK")
                    return self._repeat_of(feedback, stored), False
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
                if self._db.in_transaction:
                    cursor.execute("ROLLBACK")
                raise
        return row_id, True

    def stored_repeat(self, feedback: Feedback) -> int | None:
        """The id of the stored feedback `feedback` repeats exactly; None if its request has none
        yet; FeedbackConflict if it has another."""
        with self._lock:
            stored = self._stored_for(self._db.cursor(), feedback.request_id)
        return self._repeat_of(feedback, stored) if stored else None

    @staticmethod
    def _stored_for(cursor: sqlite3.Cursor, request_id: str) -> list[tuple[int, dict[str, object]]]:
        """The feedback rows of a request, oldest first (files written before one feedback per
        request was enforced may hold several)."""
        rows = cursor.execute(
            "SELECT id, message, platform, shop, outcome, source, sent_text FROM feedback WHERE request_id = ?"
            " ORDER BY id",
            (request_id,),
        ).fetchall()
        stored = []
        for row_id, message, platform, shop, outcome, source, sent_text in rows:
            shown = tuple(s for (s,) in cursor.execute(
                "SELECT source FROM feedback_shown WHERE feedback_id = ? ORDER BY position", (row_id,)))
            stored.append((int(row_id), {"message": message, "platform": platform, "shop": shop, "outcome": outcome,
                                         "shown": shown, "source": source, "sent_text": sent_text}))
        return stored

    @staticmethod
    def _repeat_of(feedback: Feedback, stored: list[tuple[int, dict[str, object]]]) -> int:
        """The id of the stored row `feedback` repeats, or FeedbackConflict naming what differs."""
        for row_id, fields in stored:
            if all(getattr(feedback, name) == value for name, value in fields.items()):
                return row_id
        first_id, first = stored[0]
        differs = [name for name, value in first.items() if getattr(feedback, name) != value]
        raise FeedbackConflict(feedback.request_id, first_id, differs)

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

    def unused(self) -> Iterator[Unused]:
        """Every feedback where no suggestion was used, newest first."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT f.message, f.sent_text, f.platform, f.shop,
                       (SELECT group_concat(source, char(31)) FROM
                          (SELECT s.source FROM feedback_shown s WHERE s.feedback_id = f.id ORDER BY s.position))
                FROM feedback f WHERE f.outcome = 'none' ORDER BY f.id DESC
                """
            ).fetchall()
        for message, sent_text, platform, shop, shown in rows:
            sources = tuple(str(shown).split("\x1f")) if shown else ()
            yield Unused(str(message), len(sources), sent_text, str(platform), shop, sources)

    def latest_edits(self, per_source: int = 3) -> dict[str, list[tuple[str, str, str | None]]]:
        """Per suggestion source, the last `per_source` texts agents sent after editing it, newest
        first, each with the platform and shop it was sent on (text, platform, shop)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, sent_text, platform, shop FROM feedback WHERE outcome = 'edited' AND source IS NOT NULL"
                " AND sent_text IS NOT NULL ORDER BY id DESC"
            ).fetchall()
        edits: dict[str, list[tuple[str, str, str | None]]] = {}
        for source, text, platform, shop in rows:
            texts = edits.setdefault(str(source), [])
            if len(texts) < per_source and text not in (t for t, _, _ in texts):
                texts.append((str(text), str(platform), shop))
        return edits

    # ------------------------------------------------------------------ auto-replies
    @contextmanager
    def conversation(self, platform: str, shop: str, conversation: str) -> Iterator[ConversationLog]:
        """What one conversation was sent alone, locked until the block ends; what the block
        records is committed (on disk) at its end, or not at all if it raises."""
        with self._lock, self._writing("the auto-reply log"):
            cursor = self._db.cursor()
            # IMMEDIATE takes the write lock now: another process (the CLI) waits instead of
            # deciding on the same history.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield ConversationLog(self._db, platform, shop, conversation)
                cursor.execute("COMMIT")
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk): a second
                # ROLLBACK would raise and hide the cause (helper-41).
                if self._db.in_transaction:
                    cursor.execute("ROLLBACK")
                raise

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """The database's own errors while writing, as one StorageError naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:  # database or disk is full, readonly database, locked
            raise StorageError(f"cannot write {what} to {self.path}: {exc}") from exc

    def auto_reply_counts(self) -> dict[str, int]:
        """Replies sent alone, by reason, most frequent first."""
        if self.version < AUTO_REPLIES_SINCE:  # a file from before them, read without upgrading it
            return {}
        with self._lock:
            return auto_replies.counts_by_reason(self._db)

    def off_hours_messages(self) -> list[str]:
        """The customer messages answered with the off-hours notice, newest first: what buyers
        ask at night that nothing was sure enough to answer (one per conversation and window, as
        the notice goes)."""
        if self.version < AUTO_REPLIES_SINCE:
            return []
        with self._lock:
            return auto_replies.messages_with_reason(self._db, "off_hours")

    def latest_auto_replies(self, limit: int = 10) -> list[AutoReply]:
        """The `limit` latest replies sent alone, newest first."""
        if self.version < AUTO_REPLIES_SINCE:
            return []
        with self._lock:
            return auto_replies.latest(self._db, limit)

    def unanswered_counts(self) -> tuple[int, int]:
        """Messages the auto-reply sent nothing to (a notice had gone), and how many needed a person."""
        if self.version < UNANSWERED_SINCE:
            return 0, 0
        with self._lock:
            return auto_replies.unanswered_counts(self._db)

    def latest_unanswered(self, limit: int = 10) -> list[Unanswered]:
        """The `limit` latest of them, those needing a person first."""
        if self.version < UNANSWERED_SINCE:
            return []
        with self._lock:
            return auto_replies.latest_unanswered(self._db, limit)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def default_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / DB_NAME
