"""The store: one SQLite database (WAL) in a store folder, beside the FAISS index files.

Sources, articles, passages (sentences with character offsets into the article text) and claims
(body passages whose check-worthiness score reaches the threshold). Every write is one transaction:
an article lands with all its passages or not at all.

Concurrency: SQLite in WAL mode lets one writer and any number of readers work at once, but only on
separate connections — a transaction belongs to a connection, not to a thread. So a Store keeps a
small pool: each call (a read, a transaction) borrows a connection of its own, and threads sharing one
Store (the dashboard's sessions) never see another thread's uncommitted rows or start a transaction
inside another's. Writers (threads or processes) queue for the write lock for up to BUSY_TIMEOUT_S.

Damage and hostility: opening refuses (factcheck.schema), with a sentence, a database another factcheck wrote (newer or
older schema), one that lost its tables beside an index that still holds vectors (a new store there would
let the next sync empty the index), and one SQLite finds damaged; a full disk, a store this user may not
write and a write lock held too long are StoreErrors too. A store the user may not write opens read-only
(SQLite `mode=ro`): reads work, writes say so, and the embedding cache is not written.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.errors import StoreError
from factcheck.hashes import text_hash  # the embedding cache's key too (factcheck.embed)
from factcheck.labels import PassageKind
from factcheck.records import (
    Article,
    ArticleDraft,
    ArticleHead,
    Passage,
    Review,
    ReviewDraft,
    Source,
    SourceProfile,
    Story,
)
from factcheck.schema import DB_NAME, check_schema, refuse_a_lost_database
from factcheck.settings import DEFAULTS

# How long a writer waits for another writer's transaction (articles are committed one at a time, so
# the wait is one article's insert, not a whole ingest); readers never wait in WAL mode.
BUSY_TIMEOUT_S = 30.0
PASSAGES_VERSION = "passages_version"  # meta key, see Store.passages_version
STORE_ID = "store_id"  # meta key, see Store.identity
_PASSAGE_SQL = """SELECT p.id, p.article_id, s.name, p.kind, p.seq, p.start, p."end", p.text, p.score
FROM passages p JOIN articles a ON a.id = p.article_id JOIN sources s ON s.id = a.source_id"""

_SHOWN_SQL = """SELECT p.id, p.text, s.name, p.article_id, p.start, p."end"
FROM passages p JOIN articles a ON a.id = p.article_id JOIN sources s ON s.id = a.source_id"""


def content_hash(text: str) -> str:
    """Same article twice (whitespace or case aside) hashes the same: it is stored once."""
    return text_hash(re.sub(r"\s+", " ", text).strip().casefold())


def _passages_changed(c: sqlite3.Connection) -> None:
    """Bump passages_version inside the writing transaction, so it commits with the change itself."""
    c.execute("INSERT INTO meta VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
              (PASSAGES_VERSION,))


def _drop_empty_stories(c: sqlite3.Connection) -> int:
    """A story whose last article went (removed, moved, merged away) goes too; returns how many went."""
    return c.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM article_stories)").rowcount


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_only_message(path: Path) -> str:
    return (f"The store at {path} is read-only for this user: search, claims, check, report and stats work; "
            f"to ingest, remove or reindex, make the folder and its files writable (chmod -R u+w {path}).")


def _problem(path: Path, e: sqlite3.Error, *, read_only: bool = False) -> StoreError | None:
    """What a SQLite failure means for the user, or None for one a user cannot cause (a bug: let it show).
    A read-only store may be read as immutable while its owner writes it: what looks damaged may only have
    changed under the reader, so it is told to try again before restoring anything."""
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF  # the primary result code
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(e):
        return StoreError(f"The disk holding the store at {path} is full: nothing more was stored, and what "
                          "was stored before is kept. Free some space, then try again.")
    if code == sqlite3.SQLITE_READONLY:
        return StoreError(read_only_message(path))
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) and read_only:
        return StoreError(f"The database of the store at {path} could not be read ({e}). This user may only read "
                          "it: if another user or process is writing to it, try again in a moment; if it fails "
                          "again when nothing writes, the database is damaged: ask its owner to run "
                          "`factcheck doctor`.")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreError(f"The database of the store at {path} is damaged ({e}): restore {DB_NAME} from a "
                          "backup, or move the store folder aside and ingest the articles again.")
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreError(f"Another process has held the store at {path} for writing longer than "
                          f"{BUSY_TIMEOUT_S:.0f} s; try again when it has finished.")
    if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
        return StoreError(f"Cannot read or write the store at {path} ({e}): check the disk has space and "
                          "the folder and its files can be read and written by this user.")
    return None


def _writable(path: Path) -> bool:
    """May this user write the store folder (journal, index files) and its database? A folder not made
    yet counts as writable: making it says soon enough."""
    db = path / DB_NAME
    if not path.exists():
        return True
    return os.access(path, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


class Store:
    """A store folder. Open with Store.open(dir); safe to open from several processes (WAL)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only  # this user may not write it: reads work, writes raise StoreError
        self._idle = [conn]  # connections no call is using; a busy pool opens another
        self._every = [conn]
        self._pool_lock = threading.Lock()
        self._closed = False

    @staticmethod
    def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
        # autocommit (isolation_level=None): every read is its own snapshot, writes say BEGIN themselves;
        # check_same_thread=False because a pooled connection serves one call at a time, from any thread
        if read_only:
            return Store._connect_read_only(path)
        conn = sqlite3.connect(path / DB_NAME, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @staticmethod
    def _connect_read_only(path: Path) -> sqlite3.Connection:
        """SQLite's read-only mode. A WAL database needs its -shm file to be read; where this user may not
        create one and no -wal holds changes, the file is read as immutable (what it holds is all there is)."""
        uri = (path / DB_NAME).resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            wal = path / f"{DB_NAME}-wal"
            if wal.exists() and wal.stat().st_size:
                raise
            conn.close()
            conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                                   check_same_thread=False)
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """The store in this folder, made if need be; read-only when this user may not write it."""
        path = Path(path)
        db = path / DB_NAME
        conn = None
        read_only = False
        try:
            read_only = not _writable(path)
            if read_only and not db.is_file():
                raise StoreError(f"The store folder {path} holds no database and this user may not write it: "
                                 "give a store folder you can write (--store DIR).")
            path.mkdir(parents=True, exist_ok=True)
            state = "missing" if not db.exists() else "empty (0 bytes)" if not db.stat().st_size else "present"
            if state != "present":
                refuse_a_lost_database(path, state)  # before SQLite makes a new file of it
            conn = cls._connect(path, read_only)
            check_schema(conn, path, state, read_only=read_only)
        except (StoreError, OSError, sqlite3.Error) as e:
            if conn is not None:
                conn.close()
            if isinstance(e, StoreError):
                raise
            problem = _problem(path, e, read_only=read_only) if isinstance(e, sqlite3.Error) else None
            raise problem or StoreError(f"Cannot open the store at {path}: {e}. Check the folder exists, is "
                                        "writable, and that the database file is a factcheck store.") from e
        return cls(path, conn, read_only=read_only)

    def require_writable(self) -> None:
        """Raise the read-only StoreError before a write starts (reindex builds a whole index first)."""
        if self.read_only:
            raise StoreError(read_only_message(self.path))

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            every, self._every, self._idle = self._every, [], []
        for conn in every:
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this call alone, back to the pool afterwards."""
        with self._pool_lock:
            if self._closed:
                raise StoreError(f"The store at {self.path} is closed; open it again.")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            try:
                conn = self._connect(self.path, self.read_only)
            except (OSError, sqlite3.Error) as e:
                problem = _problem(self.path, e, read_only=self.read_only) if isinstance(e, sqlite3.Error) else None
                raise problem or StoreError(
                    f"Cannot open another connection to the store at {self.path}: {e}.") from e
            with self._pool_lock:
                self._every.append(conn)
        try:
            yield conn
        except sqlite3.Error as e:
            problem = _problem(self.path, e, read_only=self.read_only)
            if problem is None:
                raise
            raise problem from e
        finally:
            # a COMMIT or ROLLBACK that failed left a transaction open: close it (rolls back), never hand it on
            spent = conn.in_transaction
            with self._pool_lock:
                if self._closed or spent:
                    if conn in self._every:
                        self._every.remove(conn)
                    conn.close()
                else:
                    self._idle.append(conn)

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """All rows of one read, fetched before the connection goes back to the pool."""
        with self._connection() as c:
            return c.execute(sql, args).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE on a connection of its own: one writer at a time; readers carry on (WAL)."""
        self.require_writable()
        with self._connection() as c:
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
                c.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (a full disk does): a second ROLLBACK would hide why
                if c.in_transaction:
                    with suppress(sqlite3.Error):
                        c.execute("ROLLBACK")
                raise

    # --- writes -------------------------------------------------------------------------------
    def add_article(self, draft: ArticleDraft) -> tuple[int, bool]:
        """Store an article with its passages in one transaction. Returns (article id, created);
        an article already stored (same content) is not stored again: (its id, False)."""
        h = content_hash(draft.text)
        with self.transaction() as c:
            row = c.execute("SELECT id FROM articles WHERE content_hash = ?", (h,)).fetchone()
            if row:
                return int(row[0]), False
            c.execute("INSERT OR IGNORE INTO sources(name, created) VALUES (?, ?)", (draft.source, _now()))
            sid = c.execute("SELECT id FROM sources WHERE name = ?", (draft.source,)).fetchone()[0]
            cur = c.execute(
                "INSERT INTO articles(source_id, content_hash, text, title, date, url, author, origin, added)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, h, draft.text, draft.title, draft.date, draft.url, draft.author, draft.origin, _now()))
            aid = int(cur.lastrowid or 0)
            c.executemany(
                'INSERT INTO passages(article_id, seq, kind, start, "end", text, text_hash, score)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(aid, i, p.kind, p.start, p.end, p.text, text_hash(p.text), float(p.score))
                 for i, p in enumerate(draft.passages)])
            _passages_changed(c)
            return aid, True

    def remove_source(self, name: str) -> list[int]:
        """Delete a source with its articles and passages; returns the removed passage ids."""
        with self.transaction() as c:
            ids = [r[0] for r in c.execute(
                "SELECT p.id FROM passages p JOIN articles a ON a.id = p.article_id "
                "JOIN sources s ON s.id = a.source_id WHERE s.name = ?", (name,))]
            c.execute("DELETE FROM sources WHERE name = ?", (name,))
            _drop_empty_stories(c)
            _passages_changed(c)
            return ids

    def remove_article(self, article_id: int) -> list[int]:
        with self.transaction() as c:
            ids = [r[0] for r in c.execute("SELECT id FROM passages WHERE article_id = ?", (article_id,))]
            c.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            c.execute("DELETE FROM sources WHERE id NOT IN (SELECT DISTINCT source_id FROM articles)")
            _drop_empty_stories(c)
            _passages_changed(c)
            return ids

    # --- reads --------------------------------------------------------------------------------
    def sources(self, threshold: float = DEFAULTS.claim_threshold) -> list[Source]:
        rows = self._rows(
            "SELECT s.id, s.name, COUNT(DISTINCT a.id),"
            " (SELECT COUNT(*) FROM passages p JOIN articles a2 ON a2.id = p.article_id"
            "  WHERE a2.source_id = s.id AND p.kind = 'body' AND p.score >= ?)"
            " FROM sources s LEFT JOIN articles a ON a.source_id = s.id GROUP BY s.id ORDER BY s.name",
            (threshold,))
        return [Source(int(i), n, int(na), int(nc)) for i, n, na, nc in rows]

    def articles(self, source: str | None = None) -> list[Article]:
        sql = ("SELECT a.id, s.name, a.text, a.title, a.date, a.url, a.author, a.origin, a.added"
               " FROM articles a JOIN sources s ON s.id = a.source_id")
        args: tuple[object, ...] = ()
        if source is not None:
            sql += " WHERE s.name = ?"
            args = (source,)
        return [Article(*r) for r in self._rows(sql + " ORDER BY a.id", args)]

    def article(self, article_id: int) -> Article | None:
        rows = self._rows(
            "SELECT a.id, s.name, a.text, a.title, a.date, a.url, a.author, a.origin, a.added"
            " FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?", (article_id,))
        return Article(*rows[0]) if rows else None

    def passages(self, *, article_id: int | None = None, source: str | None = None,
                 kind: PassageKind | None = PassageKind.BODY, ids: Sequence[int] | None = None,
                 articles: Collection[int] | None = None) -> list[Passage]:
        """`articles`: those of these articles only (a story's), read 500 articles a query, by id as the rest."""
        if articles is not None:
            wanted = sorted(articles)
            found = [p for i in range(0, len(wanted), 500) for p in self._passages_of(
                article_id, source, kind, ids, wanted[i:i + 500])]
            return sorted(found, key=lambda p: p.id)
        return self._passages_of(article_id, source, kind, ids, None)

    def _passages_of(self, article_id: int | None, source: str | None, kind: PassageKind | None,
                     ids: Sequence[int] | None, articles: Sequence[int] | None) -> list[Passage]:
        where: list[str] = []
        args: list[object] = []
        if article_id is not None:
            where.append("p.article_id = ?")
            args.append(article_id)
        if source is not None:
            where.append("s.name = ?")
            args.append(source)
        if kind is not None:
            where.append("p.kind = ?")
            args.append(kind)
        if ids is not None:
            if not ids:
                return []
            where.append(f"p.id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        if articles is not None:
            if not articles:
                return []
            where.append(f"p.article_id IN ({','.join('?' * len(articles))})")
            args.extend(articles)
        sql = _PASSAGE_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY p.id"
        return [Passage(*r) for r in self._rows(sql, args)]

    def shown(self, ids: Sequence[int], *, sources: bool = True) -> dict[int, tuple[Any, ...]]:
        """(text, source, article id, start, end) of these body passages by id: what a search hit shows, read in
        one query without building Passage objects (a per-source search shows 150 and more). sources=False leaves
        the source out, and the two joins that find it: (text, article id, start, end), for a caller that knows
        each passage's source already (a vector backend holds it)."""
        if not ids:
            return {}
        sql = _SHOWN_SQL if sources else 'SELECT p.id, p.text, p.article_id, p.start, p."end" FROM passages p'
        rows = self._rows(sql + f" WHERE p.id IN ({','.join('?' * len(ids))}) AND p.kind = 'body'", ids)
        return {r[0]: r[1:] for r in rows}

    def claims(self, threshold: float, *, source: str | None = None,
               articles: Collection[int] | None = None) -> list[Passage]:
        """Body passages whose check-worthiness reaches the threshold (Settings.claim_threshold); `articles`:
        of these articles only (a story's), read without the rest of the store."""
        return [p for p in self.passages(source=source, kind=PassageKind.BODY, articles=articles)
                if p.score >= threshold]

    def preceding(self, ids: Sequence[int]) -> dict[int, str]:
        """The body sentence before each of these passages in its article (passage id -> text), for those that
        have one: the context a passage opening "She said …" or "The 69-year-old …" is read with."""
        out: dict[int, str] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out.update(self._rows(
                "SELECT p.id, q.text FROM passages p JOIN passages q ON q.article_id = p.article_id "
                f"AND q.seq = p.seq - 1 AND q.kind = 'body' WHERE p.id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def stored_article(self, text: str, threshold: float) -> tuple[int, int] | None:
        """(id, claims at `threshold`) of the article stored with this content, else None: a re-ingest reports
        what is stored without scoring it again."""
        rows = self._rows("SELECT a.id, (SELECT COUNT(*) FROM passages p WHERE p.article_id = a.id AND p.kind = ? "
                          "AND p.score >= ?) FROM articles a WHERE a.content_hash = ?",
                          (PassageKind.BODY.value, threshold, content_hash(text)))
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

    def content_hashes(self) -> list[str]:
        """Every stored article's content hash (what add_article skips a duplicate by): a distributed ingest
        sends them to its workers, so a re-run after a crash embeds none of the articles already stored."""
        return [r[0] for r in self._rows("SELECT content_hash FROM articles")]

    def passages_version(self) -> int:
        """A number that changes whenever a commit adds or removes passages, from any process: a
        process holding an index in memory compares it to tell whether the index needs a sync."""
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (PASSAGES_VERSION,))
        return int(rows[0][0]) if rows else 0

    def passage_ids(self) -> list[int]:
        return [r[0] for r in self._rows("SELECT id FROM passages WHERE kind = 'body' ORDER BY id")]

    def passages_after(self, after: int) -> list[Passage]:
        """Body passages added after passage `after` (ids only grow: AUTOINCREMENT), by id."""
        return [Passage(*r) for r in self._rows(_PASSAGE_SQL + " WHERE p.id > ? AND p.kind = 'body' ORDER BY p.id",
                                                (after,))]

    # --- the stored analysis (factcheck.analysis) ------------------------------------------------
    def checks(self, scope: str) -> list[tuple[int, str, str, str]]:
        """The stored checks of one scope: (claim passage id, fingerprint, hits JSON, result JSON)."""
        return [(int(i), f, h, r) for i, f, h, r in self._rows(
            "SELECT passage_id, fingerprint, hits, result FROM checks WHERE scope = ?", (scope,))]

    def put_checks(self, scope: str, rows: Sequence[tuple[int, str, str, str]]) -> None:
        """Store (or replace) checks of one scope, in one transaction; a claim removed meanwhile is skipped."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO checks(passage_id, scope, fingerprint, hits, result, computed)"
                " SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM passages WHERE id = ?)",
                [(pid, scope, f, h, r, _now(), pid) for pid, f, h, r in rows])

    def stats(self, threshold: float = DEFAULTS.claim_threshold) -> dict[str, int]:
        # one statement, so one snapshot: the counts agree even while an ingest commits
        (row,) = self._rows(
            "SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM articles),"
            " (SELECT COUNT(*) FROM passages WHERE kind = 'body'),"
            " (SELECT COUNT(*) FROM passages WHERE kind = 'comment'),"
            " (SELECT COUNT(*) FROM passages WHERE kind = 'body' AND score >= ?)", (threshold,))
        return dict(zip(("sources", "articles", "passages", "comments", "claims"), row, strict=True))

    def integrity_check(self) -> str:
        """SQLite's own check: 'ok' or the first problem it found."""
        return str(self._rows("PRAGMA integrity_check")[0][0])

    # --- embedding cache (by content hash, so re-ingesting never re-embeds) --------------------
    def cached_embeddings(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        hs = list(dict.fromkeys(hashes))
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(hs), 500):
            chunk = hs[i:i + 500]
            for h, blob in self._rows(
                    f"SELECT text_hash, vec FROM embeddings WHERE model = ? AND text_hash IN "
                    f"({','.join('?' * len(chunk))})", (model, *chunk)):
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_embeddings(self, model: str, items: dict[str, np.ndarray]) -> None:
        """Cache vectors; skipped on a read-only store (a cache may miss, reading must not fail)."""
        if self.read_only or not items:
            return
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                          [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()])

    def meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def identity(self) -> str:
        """This store's id (a UUID made on first use and kept in its meta table): what a Milvus collection is
        named after, so stores sharing one server never mix. A read-only store without one gets its folder's."""
        found = self.meta(STORE_ID)
        if found:
            return found
        if self.read_only:
            return uuid.uuid5(uuid.NAMESPACE_URL, self.path.resolve().as_uri()).hex
        with self.transaction() as c:  # INSERT OR IGNORE: two processes making one at once agree on the first
            c.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (STORE_ID, uuid.uuid4().hex))
        return str(self.meta(STORE_ID))

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # --- published fact-checks and outlet profiles (issue 14) ----------------------------------
    def add_reviews(self, drafts: Sequence[ReviewDraft], keys: Sequence[str]) -> int:
        """Store published fact-checks in one transaction; a key already stored is left as it is (a re-import
        adds nothing). Returns how many were new."""
        with self.transaction() as c:
            before = c.total_changes
            c.executemany(
                "INSERT OR IGNORE INTO factchecks(key, claim, text_hash, rating, publisher, date, url, claimant,"
                " origin, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(k, d.claim, text_hash(d.claim), d.rating, d.publisher, d.date, d.url, d.claimant, d.origin,
                  _now()) for d, k in zip(drafts, keys, strict=True)])
            return c.total_changes - before

    def reviews(self) -> list[Review]:
        return [Review(*r) for r in self._rows(
            "SELECT id, claim, rating, publisher, date, url, claimant, origin, added FROM factchecks ORDER BY id")]

    def reviews_version(self) -> tuple[int, int]:
        """(count, highest id) of the stored fact-checks: changes whenever one is added or removed."""
        (row,) = self._rows("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM factchecks")
        return int(row[0]), int(row[1])

    def profiles(self) -> list[SourceProfile]:
        return [SourceProfile(*r) for r in self._rows(
            "SELECT name, country, owner, rating, rating_source, notes, updated FROM source_profiles ORDER BY name")]

    def set_profiles(self, profiles: Sequence[SourceProfile]) -> None:
        """Store outlet profiles in one transaction, each replacing the one of its name."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO source_profiles(name, country, owner, rating, rating_source, notes, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(p.name, p.country, p.owner, p.rating, p.rating_source, p.notes, _now()) for p in profiles])

    def remove_profile(self, name: str) -> bool:
        with self.transaction() as c:
            return c.execute("DELETE FROM source_profiles WHERE name = ?", (name,)).rowcount > 0

    # --- stories (issue 14): what factcheck.stories grouped, and the user's edits --------------------
    def stories(self) -> list[Story]:
        """Every story with its articles (by id), their sources and first / last dates, by story id."""
        return self._stories("", ())

    def story(self, story_id: int) -> Story | None:
        """One story, as stories() gives it, read without the others; None when there is none."""
        found = self._stories(" WHERE st.id = ?", (story_id,))
        return found[0] if found else None

    def _stories(self, where: str, args: Sequence[object]) -> list[Story]:
        found: dict[int, tuple[str, bool, list[int], list[str], list[str]]] = {}
        for sid, name, edited, aid, source, when in self._rows(
                "SELECT st.id, st.name, st.edited, a.id, s.name, a.date FROM stories st"
                " JOIN article_stories l ON l.story_id = st.id JOIN articles a ON a.id = l.article_id"
                f" JOIN sources s ON s.id = a.source_id{where} ORDER BY st.id, a.id", args):
            row = found.setdefault(sid, (name, bool(edited), [], [], []))
            row[2].append(aid)
            if source not in row[3]:
                row[3].append(source)
            if when:
                row[4].append(when)
        return [Story(sid, name, tuple(arts), tuple(sorted(srcs)), min(dates, default=None), max(dates, default=None),
                      edited) for sid, (name, edited, arts, srcs, dates) in found.items()]

    def article_heads(self, text_chars: int = 0) -> list[ArticleHead]:
        """Every article's title, first body sentence, date, story link and the first `text_chars` characters
        of its text: what grouping reads."""
        return [ArticleHead(int(i), src, title, when, lede or "", sid, bool(pinned), text or "")
                for i, src, title, when, lede, sid, pinned, text in self._rows(
                    "SELECT a.id, s.name, a.title, a.date, (SELECT p.text FROM passages p WHERE p.article_id = a.id"
                    " AND p.kind = 'body' ORDER BY p.seq LIMIT 1), l.story_id, COALESCE(l.pinned, 0),"
                    " substr(a.text, 1, ?) FROM articles a JOIN sources s ON s.id = a.source_id"
                    " LEFT JOIN article_stories l ON l.article_id = a.id ORDER BY a.id", (text_chars,))]

    def set_stories(self, groups: Sequence[tuple[int | None, Sequence[int], str]]) -> list[int]:
        """A grouping, in one transaction: each (story id, or None for a new story; its articles; its default
        name). An article the user pinned stays where it is, an edited story keeps its name, an article removed
        meanwhile is skipped, and a story left empty goes. Returns each group's story id."""
        out = []
        with self.transaction() as c:
            for sid, articles, name in groups:
                if sid is None or not c.execute("SELECT 1 FROM stories WHERE id = ?", (sid,)).fetchone():
                    sid = int(c.execute("INSERT INTO stories(name, created) VALUES (?, ?)", (name, _now())).lastrowid
                              or 0)
                else:
                    c.execute("UPDATE stories SET name = ? WHERE id = ? AND edited = 0", (name, sid))
                c.executemany(
                    "INSERT INTO article_stories(article_id, story_id) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM"
                    " articles WHERE id = ?) ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id"
                    " WHERE pinned = 0", [(a, sid, a) for a in articles])
                out.append(sid)
            _drop_empty_stories(c)
        return out

    def rename_story(self, story_id: int, name: str) -> bool:
        with self.transaction() as c:
            return c.execute("UPDATE stories SET name = ?, edited = 1 WHERE id = ?", (name, story_id)).rowcount > 0

    def merge_stories(self, into: int, others: Sequence[int]) -> int:
        """Move the articles of `others` into `into` (marked edited: a regroup leaves it whole); returns how many."""
        with self.transaction() as c:
            marks = ",".join("?" * len(others))
            moved = c.execute(f"UPDATE article_stories SET story_id = ? WHERE story_id IN ({marks})",
                              (into, *others)).rowcount if others else 0
            c.execute("UPDATE stories SET edited = 1 WHERE id = ?", (into,))
            _drop_empty_stories(c)
            return moved

    def move_articles(self, article_ids: Sequence[int], story_id: int | None, *, name: str = "") -> int:
        """Put articles in a story (None: a new one called `name`), pinned there; the stories they leave and the
        one they join are marked edited, so a regroup leaves all of them as the user made them. Returns the
        story id."""
        with self.transaction() as c:
            marks = ",".join("?" * len(article_ids))
            c.execute(f"UPDATE stories SET edited = 1 WHERE id IN (SELECT story_id FROM article_stories WHERE"
                      f" article_id IN ({marks}))", tuple(article_ids))
            if story_id is None:
                story_id = int(c.execute("INSERT INTO stories(name, created, edited) VALUES (?, ?, 1)",
                                         (name, _now())).lastrowid or 0)
            c.execute("UPDATE stories SET edited = 1 WHERE id = ?", (story_id,))
            c.executemany("INSERT OR REPLACE INTO article_stories(article_id, story_id, pinned) VALUES (?, ?, 1)",
                          [(a, story_id) for a in article_ids])
            _drop_empty_stories(c)
            return story_id

    def delete_empty_stories(self) -> int:
        with self.transaction() as c:
            return _drop_empty_stories(c)
