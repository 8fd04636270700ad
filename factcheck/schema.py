"""What a factcheck store's database must hold, and the refusals of one it cannot take as it is.

Opening (store.Store.open) makes the tables of a new store, and refuses, with a sentence, a database another
factcheck wrote (newer or older schema, a missing column), one that is not a factcheck store, and one that
lost its tables beside a search index that still holds vectors, or beside a -wal file: a new store there
would let the next sync empty the index, the one thing left of the passages.
"""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from factcheck.errors import StoreError

DB_NAME = "factcheck.sqlite3"
SCHEMA_VERSION = 2
# what this version's queries read: a store without one of them was written by another version
COLUMNS = {
    "meta": ("key", "value"),
    "sources": ("id", "name", "created"),
    "articles": ("id", "source_id", "content_hash", "text", "title", "date", "url", "author", "origin", "added"),
    "passages": ("id", "article_id", "seq", "kind", "start", "end", "text", "text_hash", "score"),
    "embeddings": ("model", "text_hash", "vec"),
    "stories": ("id", "name", "created", "edited"),
    "article_stories": ("article_id", "story_id", "pinned"),
    "factchecks": ("id", "key", "claim", "text_hash", "rating", "publisher", "date", "url", "claimant", "origin",
                   "added"),
    "source_profiles": ("name", "country", "owner", "rating", "rating_source", "notes", "updated"),
    "checks": ("passage_id", "scope", "fingerprint", "hits", "result", "computed"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL, title TEXT, date TEXT, url TEXT, author TEXT,
    origin TEXT NOT NULL, added TEXT NOT NULL);
-- AUTOINCREMENT: a passage id is never reused, so a vector left in the index by a crash
-- between a removal and the index sync can never be mistaken for a newer passage
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('body', 'comment')),
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    text_hash TEXT NOT NULL, score REAL NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source_id);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vec BLOB NOT NULL,
    PRIMARY KEY (model, text_hash));
"""

# What each schema version added to the one before: a store of an older version is brought up to this one in
# place, in one transaction, the first time a user who may write it opens it. Additions only (new tables and
# indexes), so nothing a store already holds is rewritten.
MIGRATIONS: dict[int, str] = {
    2: """
-- stories: articles on one event, grouped on ingest (factcheck.stories); `edited` marks a story the user
-- renamed, merged or split, and `pinned` an article the user placed: regrouping leaves both as they are
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created TEXT NOT NULL,
    edited INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS article_stories (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    pinned INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS article_stories_story ON article_stories(story_id);
-- published fact-checks (schema.org ClaimReview): `key` identifies one review so a re-import adds nothing;
-- the claim's vector lives in `embeddings` under its text_hash like a passage's
CREATE TABLE IF NOT EXISTS factchecks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, claim TEXT NOT NULL,
    text_hash TEXT NOT NULL, rating TEXT, publisher TEXT, date TEXT, url TEXT, claimant TEXT,
    origin TEXT NOT NULL, added TEXT NOT NULL);
-- what the user records about an outlet, by source name: kept when the outlet's last article is removed,
-- and importable before its first article arrives
CREATE TABLE IF NOT EXISTS source_profiles (
    name TEXT PRIMARY KEY, country TEXT, owner TEXT, rating TEXT, rating_source TEXT, notes TEXT,
    updated TEXT NOT NULL);
-- the stored analysis (factcheck.analysis): each claim's check within a scope ("all" or "story:<id>") with what it
-- depended on: the settings and models (`fingerprint`), the passages it saw (`hits`, JSON); a claim removed
-- takes its checks with it
CREATE TABLE IF NOT EXISTS checks (
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE, scope TEXT NOT NULL,
    fingerprint TEXT NOT NULL, hits TEXT NOT NULL, result TEXT NOT NULL, computed TEXT NOT NULL,
    PRIMARY KEY (passage_id, scope));
-- a scope's checks without reading every other scope's (a sweep over every story reads each story's)
CREATE INDEX IF NOT EXISTS checks_scope ON checks(scope);
""",
}
FULL_SCHEMA = SCHEMA + "".join(MIGRATIONS[v] for v in sorted(MIGRATIONS))
_ADDED_TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", "".join(MIGRATIONS.values())))


def _index_vectors(path: Path) -> int | None:
    """How many vectors the search index beside the database holds: None when there is none, -1 when
    there is an index file whose metadata cannot be read (unknown, so assumed to hold some)."""
    from factcheck.vectors.faiss_files import INDEX_FILE, META_FILE

    meta = path / META_FILE
    try:
        if meta.is_file() and meta.stat().st_size < 1 << 16:  # never a FIFO's or a huge file's read
            return int(json.loads(meta.read_text(encoding="utf-8"))["count"]) or None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return -1 if (path / INDEX_FILE).exists() else None


def refuse_a_lost_database(path: Path, state: str) -> None:
    """A database without its tables beside what was built from it is damage, not a new store: starting
    afresh would let the next sync empty the index, the one thing left of the passages."""
    from factcheck.vectors.faiss_files import FIELDS_FILE, INDEX_FILE, META_FILE

    n = _index_vectors(path)
    wal = path / f"{DB_NAME}-wal"
    # SQLite makes the database before its -wal: a -wal with no database beside it (looked at after the
    # -wal, so a store being made meanwhile does not count) holds commits the database lost
    orphan_wal = state == "missing" and wal.is_file() and wal.stat().st_size > 0 and not (path / DB_NAME).exists()
    if n is None and not orphan_wal:
        return
    held = (f"a search index of {n:,} vectors" if n and n > 0 else "a search index") if n else f"{wal.name}"
    raise StoreError(f"The store at {path} holds {held} but its database {DB_NAME} is {state}: what the "
                     f"store held was not written here now. Restore {DB_NAME} from a backup, or, to start "
                     f"afresh, remove {INDEX_FILE}, {FIELDS_FILE} and {META_FILE} (and {wal.name}) from {path}.")


def check_schema(conn: sqlite3.Connection, path: Path, state: str, *, read_only: bool) -> None:
    """Create the tables of a new store, or check an existing one is a store this version can read."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        refuse_a_lost_database(path, state if state != "present" else "without its tables")
        if read_only:
            raise StoreError(f"The database in {path} is empty and this user may not write it: give a store "
                             "folder you can write (--store DIR), or ask its owner to ingest into it.")
        # one transaction: a process opening the store meanwhile sees all of the schema or none of it
        conn.executescript(f"BEGIN IMMEDIATE; {FULL_SCHEMA} INSERT OR IGNORE INTO meta VALUES ('schema_version', "
                           f"'{SCHEMA_VERSION}'); COMMIT;")
        return
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
        if "meta" in tables else None
    if row is None or not str(row[0]).isdigit():
        raise StoreError(f"{path / DB_NAME} is not a factcheck store (it has no schema version): give the "
                         "folder of a factcheck store, or a new folder to start one (--store DIR).")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise StoreError(f"The store at {path} was written by a newer factcheck (schema {version}); this one "
                         f"reads schema {SCHEMA_VERSION}. Upgrade factcheck, or give another store (--store DIR).")
    if version < SCHEMA_VERSION:
        version = _migrate(conn, path, version, read_only=read_only)
    elif not read_only and not set(_ADDED_TABLES) <= tables:
        # a store of this version written before one of its tables was added (schema 2 grew `checks` before
        # release): the tables the migrations add are made, never the base ones a damaged store may have lost
        conn.executescript(f"BEGIN IMMEDIATE; {''.join(MIGRATIONS.values())} COMMIT;")
    for table, want in COLUMNS.items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in want if c not in have]
        if missing:
            raise StoreError(f"The store at {path} lacks {table}.{missing[0]} (schema {version}): it was written "
                             "by another version of factcheck or altered. Ingest the articles again into a new "
                             "store (--store NEWDIR), or restore it from a backup.")
    if not read_only:
        conn.executescript(FULL_SCHEMA)  # indexes a store may lack (IF NOT EXISTS: nothing else changes)


def _migrate(conn: sqlite3.Connection, path: Path, version: int, *, read_only: bool) -> int:
    """Bring a store of an older schema up to this one, in one transaction; returns the new version."""
    first = min(MIGRATIONS)
    if version < first - 1:
        raise StoreError(f"The store at {path} has schema {version}, older than any this factcheck can upgrade "
                         f"(schema {first - 1} and later): ingest the articles again into a new store "
                         "(--store NEWDIR).")
    if read_only:
        raise StoreError(f"The store at {path} has schema {version}, older than this factcheck's schema "
                         f"{SCHEMA_VERSION}, and this user may not write it to upgrade it: open it once as a "
                         "user who may write it (the upgrade only adds tables), or use the factcheck that "
                         "wrote it.")
    steps = "".join(MIGRATIONS[v] for v in range(version + 1, SCHEMA_VERSION + 1))
    # BEGIN IMMEDIATE: one process upgrades; another opening meanwhile waits, then finds the tables there
    conn.executescript(f"BEGIN IMMEDIATE; {steps} UPDATE meta SET value = '{SCHEMA_VERSION}' "
                       "WHERE key = 'schema_version'; COMMIT;")
    return SCHEMA_VERSION
