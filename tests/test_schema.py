"""The store's schema and its migrations (factcheck/schema.py): a database schema 1 wrote, built here from schema
1's own text (tests/data/schema_v1.sql, as released), is brought up to this version in place, keeping what it
holds, and ends with the tables, columns and indexes of a store made new. The refusals of stores that cannot be
taken as they are live in tests/test_store.py, which opens them."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from factcheck.records import SourceProfile
from factcheck.schema import COLUMNS, DB_NAME, MIGRATIONS, SCHEMA, SCHEMA_VERSION
from factcheck.store import Store

V1_SQL = Path(__file__).parent / "data" / "schema_v1.sql"
TEXT = "The council said 12 bridges will close. Engineers found corrosion in 40 cables."


def _schema_1_store(folder: Path) -> Path:
    """A store as factcheck with schema 1 left it: its tables, its version, an article with two passages and
    their vectors, written with schema 1's SQL (no code of this version writes it)."""
    folder.mkdir()
    with sqlite3.connect(folder / DB_NAME) as c:
        c.executescript(V1_SQL.read_text(encoding="utf-8"))
        c.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        c.execute("INSERT INTO sources(name, created) VALUES ('Daily Planet', '2026-01-02T03:04:05')")
        c.execute("INSERT INTO articles(source_id, content_hash, text, title, date, url, author, origin, added) "
                  "VALUES (1, 'h1', ?, 'Bridges', '2026-01-02', NULL, NULL, 'upload.txt', '2026-01-02T03:04:05')",
                  (TEXT,))
        for seq, (start, end) in enumerate([(0, 39), (40, len(TEXT))]):
            c.execute("INSERT INTO passages(article_id, seq, kind, start, \"end\", text, text_hash, score) "
                      "VALUES (1, ?, 'body', ?, ?, ?, ?, 0.9)", (seq, start, end, TEXT[start:end], f"t{seq}"))
            c.execute("INSERT INTO embeddings VALUES ('minilm', ?, ?)", (f"t{seq}", bytes(8)))
    c.close()
    return folder


def _shape(path: Path) -> dict[str, object]:
    """What a database's schema is made of: each table's columns (name, type, not null, default, key) and the
    names of its tables and indexes."""
    with sqlite3.connect(path / DB_NAME) as c:
        objects = sorted(c.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        tables = [name for kind, name in objects if kind == "table"]
        shape = {t: [tuple(r[1:]) for r in c.execute(f"PRAGMA table_info({t})")] for t in tables}
        version = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    c.close()
    return {"objects": objects, "tables": shape, "version": version}


def test_the_base_schema_is_schema_1s_text_so_every_later_change_is_a_migration():
    """An upgrade adds MIGRATIONS[v] for each v after a store's version: if the base schema changed, a schema 1
    store would never get the change, while a new store would."""
    assert V1_SQL.read_text(encoding="utf-8").split("\n", 1)[1] == SCHEMA.lstrip("\n")
    assert sorted(MIGRATIONS) == list(range(2, SCHEMA_VERSION + 1))


def test_a_schema_1_store_is_upgraded_to_the_schema_of_a_new_store_keeping_what_it_holds(tmp_path: Path):
    old = _schema_1_store(tmp_path / "v1")
    with Store.open(tmp_path / "new"):
        pass
    with Store.open(old) as s:
        assert s.meta("schema_version") == str(SCHEMA_VERSION)
        (article,) = s.articles()
        assert (article.title, article.text, article.source) == ("Bridges", TEXT, "Daily Planet")
        assert [p.text for p in s.passages(article_id=article.id, kind=None)] == [TEXT[:39], TEXT[40:]]
        # the tables the upgrade added take what this version writes into them
        s.set_profiles([SourceProfile("Daily Planet", country="US")])
        assert [(p.name, p.country) for p in s.profiles()] == [("Daily Planet", "US")]
        assert s.stories() == []
    assert _shape(old) == _shape(tmp_path / "new")  # the same tables, columns and indexes as a new store
    for table, columns in COLUMNS.items():
        assert set(columns) <= {c[0] for c in _shape(old)["tables"][table]}  # type: ignore[index]
    with sqlite3.connect(old / DB_NAME) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 2
    c.close()


def test_a_second_opening_after_the_upgrade_changes_nothing(tmp_path: Path):
    old = _schema_1_store(tmp_path / "v1")
    with Store.open(old):
        pass
    upgraded = _shape(old)
    with Store.open(old) as s:  # a second opening finds nothing to do
        assert s.meta("schema_version") == str(SCHEMA_VERSION)
    assert _shape(old) == upgraded
