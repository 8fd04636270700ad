"""Outlet profiles: checked on entry, imported from CSV (refusing bad rows with their line), exported safely, kept by
source name in the store."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import FakeEncoder, make_draft

from factcheck import profiles
from factcheck.api import Factcheck
from factcheck.errors import FactcheckError, IngestError
from factcheck.records import SourceProfile
from factcheck.settings import Settings

FIXTURE = Path(__file__).parent / "data" / "profiles_invented.csv"


def _fc(tmp_path: Path) -> Factcheck:
    return Factcheck(Settings(store_dir=tmp_path / "store"), encoder=FakeEncoder())


def test_make_checks_what_a_person_typed():
    p = profiles.make("  Daily   Planet ", country="Freedonia", rating="High", rating_source="my reading", notes="")
    assert (p.name, p.country, p.rating, p.notes) == ("Daily Planet", "Freedonia", "High", None)
    with pytest.raises(FactcheckError, match="needs the source's name"):
        profiles.make("  ")
    with pytest.raises(FactcheckError, match="rating_source"):
        profiles.make("X", rating="Low")
    with pytest.raises(FactcheckError, match="limit is 2,000"):
        profiles.make("X", notes="n" * 2001)


def test_csv_import_keeps_good_rows_and_names_the_bad_ones(tmp_path):
    found = profiles.read_csv(FIXTURE, Settings())
    assert [p.name for p in found.profiles] == ["Daily Planet", "The Courier"]
    assert found.profiles[0].rating_source == "My own reading (test fixture)"
    assert len(found.refused) == 2
    assert found.refused[0].startswith("line 4:") and "rating_source" in found.refused[0]
    assert found.refused[1].startswith("line 5:") and "name" in found.refused[1]


@pytest.mark.parametrize(("text", "why"), [
    ("country,owner\nX,Y\n", "no 'name' column"),
    ("name,bias_score\nX,3\n", "unknown column"),
    ('name,notes\n"open,x\n', "broken CSV"),
])
def test_a_csv_that_is_no_profile_file_is_refused(tmp_path, text, why):
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError, match=why):
        profiles.read_csv(path, Settings())


def test_export_reads_back_and_neutralises_formulas():
    hostile = SourceProfile(name="=HYPERLINK(\"http://evil\")", country="-1+1", notes="a, \"quoted\"\nline")
    plain = SourceProfile(name="Daily Planet", country="Freedonia", rating="High", rating_source="me")
    rows = list(csv.DictReader(io.StringIO(profiles.to_csv([hostile, plain]))))
    assert tuple(rows[0]) == profiles.COLUMNS
    assert rows[0]["name"].startswith("'=") and rows[0]["country"] == "'-1+1"
    assert rows[1] == {"name": "Daily Planet", "country": "Freedonia", "owner": "", "rating": "High",
                       "rating_source": "me", "notes": ""}


def test_summary_says_whose_rating_it_is():
    p = SourceProfile(name="A", country="Freedonia", owner="X Corp", rating="High", rating_source="me")
    assert profiles.summary(p) == "Freedonia · owner: X Corp · rating: High (per me)"
    assert profiles.summary(None) == "" and profiles.summary(SourceProfile(name="A")) == ""


def test_facade_stores_profiles_by_name_and_keeps_them_after_the_source_goes(tmp_path):
    fc = _fc(tmp_path)
    fc.store.add_article(make_draft("Daily Planet", ["Crime fell by a third in 2025."]))
    found = fc.import_profiles(FIXTURE)
    assert len(found.profiles) == 2 and len(found.refused) == 2
    fc.set_profile("Daily Planet", country="Freedonia", owner="New Owner")  # replaces the imported one
    by_name = {p.name: p for p in fc.profiles()}
    assert by_name["Daily Planet"].owner == "New Owner" and by_name["Daily Planet"].rating is None
    assert by_name["Daily Planet"].updated
    fc.remove_source("Daily Planet")
    assert "Daily Planet" in {p.name for p in fc.profiles()}
    assert fc.remove_profile("Daily Planet") and not fc.remove_profile("Daily Planet")
    with pytest.raises(FactcheckError):
        fc.set_profile("X", rating="Low")
    assert [p.name for p in fc.profiles()] == ["The Courier"]


def test_an_exported_file_imports_back_as_it_was_stored(tmp_path):
    fc = _fc(tmp_path)
    fc.set_profile("-Outlet", country="=1+1", notes="plain")
    path = tmp_path / "out.csv"
    path.write_text(profiles.to_csv(fc.profiles()), encoding="utf-8")
    fc.import_profiles(path)
    fc.import_profiles(path)  # twice: no quote piles up
    (p,) = fc.profiles()
    assert (p.name, p.country, p.notes) == ("-Outlet", "=1+1", "plain")


def test_a_file_of_some_columns_keeps_what_is_stored_in_the_others(tmp_path):
    fc = _fc(tmp_path)
    fc.set_profile("Daily Planet", country="Freedonia", rating="High", rating_source="my reading", notes="kept")
    path = tmp_path / "countries.csv"
    path.write_text("name,country\nDaily Planet,Ruritania\nNew Wire,Elbonia\n", encoding="utf-8")
    fc.import_profiles(path)
    by_name = {p.name: p for p in fc.profiles()}
    assert by_name["Daily Planet"].country == "Ruritania"
    assert (by_name["Daily Planet"].rating, by_name["Daily Planet"].rating_source) == ("High", "my reading")
    assert by_name["Daily Planet"].notes == "kept" and by_name["New Wire"].rating is None
