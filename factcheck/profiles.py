"""Outlet profiles: what the user records about each source (country, owner, a rating with where it comes from,
notes), read from CSV, checked, and written back out.

Nothing about real outlets ships with factcheck: every profile is the user's own, or imported from a file they
chose, and a rating is only taken with its provenance (`rating_source`), so no export shows a rating as if it
were factcheck's. A profile is keyed by source name and outlives the source's articles.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from factcheck import escape
from factcheck.errors import FactcheckError, IngestError, csv_problem
from factcheck.records import ProfileImport, SourceProfile
from factcheck.settings import Settings

COLUMNS = ("name", "country", "owner", "rating", "rating_source", "notes")
LIMITS = {"name": 200, "country": 100, "owner": 200, "rating": 100, "rating_source": 300, "notes": 2_000}
MAX_ROWS = 10_000


def _clean(value: object) -> str | None:
    s = " ".join(str(value).split()) if value is not None else ""
    return s.encode("utf-8", "replace").decode("utf-8") or None


def make(name: object, *, country: object = None, owner: object = None, rating: object = None,
         rating_source: object = None, notes: object = None) -> SourceProfile:
    """A profile from what a person typed, checked: a name, every field within its limit, and a rating only with
    its source. Raises FactcheckError with what to fix."""
    p = SourceProfile(name=_clean(name) or "", country=_clean(country), owner=_clean(owner), rating=_clean(rating),
                      rating_source=_clean(rating_source), notes=_clean(notes))
    if not p.name:
        raise FactcheckError("A profile needs the source's name.")
    for col in COLUMNS:
        value = getattr(p, col)
        if value and len(value) > LIMITS[col]:
            raise FactcheckError(f"The {col.replace('_', ' ')} of {p.name[:60]!r} is {len(value):,} characters; "
                                 f"the limit is {LIMITS[col]:,}.")
    if p.rating and not p.rating_source:
        raise FactcheckError(f"The rating of {p.name[:60]!r} has no rating_source: say where it comes from (your own "
                             "reading, or the organisation that rated it), or leave the rating empty.")
    return p


def read_csv(path: str | Path, settings: Settings) -> ProfileImport:
    """Profiles from a CSV file with a header naming some of COLUMNS (name required). A row that fails a check is
    refused with its line and reason; the others are read. Raises IngestError for a file that is no such CSV."""
    from factcheck.ingest import corpus

    p = Path(path)
    name = corpus.shown(p)
    text = corpus.decode(corpus.read_file(p, settings.max_input_bytes), name)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    except (csv.Error, StopIteration) as e:
        raise IngestError(f"{name}: broken CSV header at line 1: {csv_problem(e)}.") from e
    if "name" not in header:
        raise IngestError(f"{name}: the CSV header ({', '.join(header)[:120]}) has no 'name' column; the columns "
                          f"are {', '.join(COLUMNS)}.")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise IngestError(f"{name}: unknown column(s) {', '.join(unknown)[:120]}; the columns are "
                          f"{', '.join(COLUMNS)}.")
    profiles: dict[str, SourceProfile] = {}
    refused: list[str] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                refused.append(f"line {reader.line_num}: {len(row)} fields where the header has {len(header)}")
                continue
            if len(profiles) >= MAX_ROWS:
                refused.append(f"line {reader.line_num}: past {MAX_ROWS:,} profiles in one file")
                break
            try:
                prof = make(**{h: escape.csv_uncell(v) for h, v in zip(header, row, strict=True)})
            except FactcheckError as e:
                refused.append(f"line {reader.line_num}: {e}")
                continue
            profiles[prof.name] = prof  # a name twice: the later row wins, as in a spreadsheet's last edit
    except csv.Error as e:
        raise IngestError(f"{name}: broken CSV at line {reader.line_num}: {csv_problem(e)}.") from e
    return ProfileImport(origin=name, profiles=tuple(profiles.values()), refused=tuple(refused),
                         columns=tuple(header))


def to_csv(profiles: Sequence[SourceProfile]) -> str:
    """Profiles as a CSV file read_csv reads back; every cell quoted, formula starts neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(COLUMNS)
    for p in profiles:
        w.writerow([escape.csv_cell(getattr(p, c) or "") for c in COLUMNS])
    return buf.getvalue()


def summary(p: SourceProfile | None) -> str:
    """One line about an outlet for a face to show (plain text: each face escapes it): "Freedonia · owner: X ·
    rating: Y (per Z)", or "" with nothing recorded."""
    if p is None:
        return ""
    parts = [p.country or ""]
    if p.owner:
        parts.append(f"owner: {p.owner}")
    if p.rating:
        parts.append(f"rating: {p.rating} (per {p.rating_source})")
    if p.notes:
        parts.append(f"notes: {p.notes[:120]}{'…' if len(p.notes) > 120 else ''}")
    return " · ".join(x for x in parts if x)


def as_dict(p: SourceProfile) -> dict[str, str | None]:
    return {c: getattr(p, c) for c in COLUMNS} | {"updated": p.updated}
