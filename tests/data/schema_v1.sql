-- factcheck's store schema 1 (factcheck/schema.py SCHEMA at e4e56d0~1, the last commit of schema 1), as released
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
