"""Published fact-checks: reading ClaimReview from pages, feeds and CSV (hostile input included), storing them once,
and matching them to a claim beside — never inside — the verdict."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder
from ui_support import FakeVerifier

from factcheck import factchecks
from factcheck.api import Factcheck
from factcheck.errors import FactcheckError, IngestError
from factcheck.ingest.fetch import Fetched
from factcheck.labels import Verification
from factcheck.records import Review
from factcheck.settings import Settings

FIXTURES = Path(__file__).parent / "data" / "factchecks"
HOMICIDES = "https://lantern-factdesk.example/checks/mexico-homicide-rate"


def _fc(tmp_path: Path, **kw: object) -> Factcheck:
    settings = replace(Settings(store_dir=tmp_path / "store"), evidence_similarity=0.0, **kw)  # type: ignore[arg-type]
    return Factcheck(settings, encoder=FakeEncoder(), verifier=FakeVerifier())


def _page(claim: str, rating: str = "False", **extra: str) -> str:
    import json

    obj = {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": claim,
           "reviewRating": {"@type": "Rating", "alternateName": rating}, **extra}
    data = json.dumps(obj).replace("</", "<\\/")  # as a page must write it: "</script>" would end the script
    return f'<html><head><script type="application/ld+json">{data}</script></head><body></body></html>'


def test_every_format_of_the_fixtures_is_read():
    found = factchecks.read(str(FIXTURES), Settings())
    assert len(found.drafts) == 24
    assert found.skipped == {"no claim reviewed": 2, "no rating": 1, "a claim with no review": 1}
    by_url = {d.url: d for d in found.drafts}
    # JSON-LD @graph, with its author, claimant and rating words
    h = by_url[HOMICIDES]
    assert (h.rating, h.publisher, h.claimant, h.date) == ("Mostly true", "Lantern Fact Desk", "Claudia Sheinbaum",
                                                           "2026-01-19")
    assert h.claim.startswith("Mexico's homicide rate has dropped significantly")
    # a list of JSON-LD objects after a // comment, @type as a list, a rating by "name", a datetime
    bikes = by_url["https://northgate-verify.example/elmsworth-bicycles"]
    assert (bikes.rating, bikes.date, bikes.publisher) == ("False", "2025-11-03", "Northgate Verify")
    # the Fact Check Tools feed: the claim from its parent, the publisher's name
    tariffs = by_url["https://lantern-factdesk.example/checks/mexico-canada-steel-tariffs"]
    assert (tariffs.rating, tariffs.claimant, tariffs.date) == ("False", "Viral post", "2026-01-13")
    # a DataFeed, a numeric rating without words
    assert by_url["https://plainledger.example/fact-check/tellis-airport-closure"].rating == "1/5"
    # CSV
    assert by_url["https://plainledger.example/fact-check/lakeport-rents"].rating == "Mostly false"
    # the NewsArticle and the broken script of the pages are no reviews, and hide none
    assert sum(d.origin.endswith("review_elmsworth.html") for d in found.drafts) == 2


def test_reimport_adds_nothing_and_keys_tell_reviews_apart(tmp_path):
    fc = _fc(tmp_path)
    first = fc.ingest_factchecks(FIXTURES)
    assert (first.read, first.added, first.already) == (24, 24, 0)
    again = fc.ingest_factchecks(FIXTURES)
    assert (again.added, again.already) == (0, 24)
    assert len(fc.factchecks()) == 24
    # the same claim rated by another publisher (no page) is another review
    d = factchecks.ReviewDraft(claim="Crime fell.", rating="True", publisher="A")
    assert factchecks.key(d) != factchecks.key(replace(d, publisher="B"))
    assert factchecks.key(d) == factchecks.key(replace(d, claim="  crime   FELL. "))


@pytest.mark.parametrize(("name", "data", "why"), [
    ("broken.json", b'{"claims": [', "broken JSON at line 1"),
    ("none.json", b'{"@type": "NewsArticle", "headline": "x"}', "no ClaimReview"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
    ("binary.html", bytes(range(256)) * 50, "binary"),
    ("empty.csv", b"", "empty"),
    ("columns.csv", b"headline,body\nx,y\n", "needs a claim and a rating column"),
    ("quote.csv", b'claim,rating\n"open quote,False\n', "broken CSV"),
])
def test_unreadable_inputs_are_refused_with_a_reason(tmp_path, name, data, why):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as e:
        factchecks.read(str(path), Settings())
    assert why in str(e.value)
    assert "\n" not in str(e.value)


def test_a_file_past_the_size_limit_is_never_read(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * 5000)
    with pytest.raises(IngestError, match="too big|larger|limit"):
        factchecks.read(str(path), replace(Settings(), max_input_bytes=1000))


def test_hostile_records_are_skipped_or_defused(tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(
        _page("The moon is made of cheese.", "<b>False</b>", url="javascript:alert(1)",
              author={"name": "<script>alert(1)</script> Checkers"})  # type: ignore[arg-type]
        + _page("x" * 3000) + _page("No rating here", rating="")
        + _page("Surrogate \ud800 inside", "True"), encoding="utf-8", errors="surrogatepass")
    found = factchecks.read(str(path), Settings())
    assert found.skipped == {"a field past its length limit": 1, "no rating": 1}
    cheese, odd = found.drafts
    assert cheese.url is None  # never kept to be shown as a link
    assert cheese.rating == "<b>False</b>" and cheese.publisher == "<script>alert(1)</script> Checkers"
    odd.claim.encode("utf-8")  # storable: no lone surrogate left


def test_a_url_goes_through_fetch_and_its_page_is_the_link(tmp_path, monkeypatch):
    import factcheck.ingest.fetch

    seen = []

    def fake_fetch(url, settings):
        seen.append(url)
        body = _page("Harbour fees tripled in Porto Velha.", "False").encode()
        return Fetched(url=url, final_url=url + "?final", content_type="text/html; charset=utf-8", body=body)

    monkeypatch.setattr(factcheck.ingest.fetch, "fetch_url", fake_fetch)
    found = factchecks.read("https://checks.example/porto", Settings())
    assert seen == ["https://checks.example/porto"]
    (d,) = found.drafts
    assert d.url == "https://checks.example/porto?final" and d.origin == "https://checks.example/porto"


def test_a_private_address_is_refused_by_fetch(tmp_path):
    with pytest.raises(IngestError, match="127.0.0.1|private|loopback|public"):
        _fc(tmp_path).ingest_factchecks("http://127.0.0.1:9/feed.json")


def _reviews(*claims: str) -> list[Review]:
    return [Review(id=i, claim=c, rating="False", publisher="P", date=None, url=f"https://p.example/{i}",
                   claimant=None, origin="test", added="") for i, c in enumerate(claims)]


def test_match_ranks_a_ruling_first_and_drops_distant_claims():
    enc = FakeEncoder()
    reviews = _reviews("Crime in the city fell by a third last year.", "Crime in the city rose by a third last year.",
                       "Penguins in the zoo learned to fly.")
    vecs = enc.encode([r.claim for r in reviews])
    claim = "Crime in the city fell by a third"
    found = factchecks.match(claim, enc.encode([claim])[0], reviews, vecs, FakeVerifier(), k=3,
                             min_similarity=0.2, nei_similarity=0.9)
    assert [m.review.id for m in found] == [0, 1]  # the penguins: another claim, far off
    assert [m.match for m in found] == [Verification.SUPPORTS, Verification.CONFLICTS]
    assert 0 < found[1].similarity < found[0].similarity <= 1
    assert factchecks.how_matched(found[1]).startswith("the opposite claim (verifier p = 0.88), similarity")
    verifier = FakeVerifier()
    far = "Volcanic ash grounded flights over Iceland"
    assert factchecks.match(far, enc.encode([far])[0], reviews, vecs, verifier, min_similarity=0.5) == []
    assert verifier.calls == 0  # nothing close: no verifier call


def test_published_checks_on_the_fixtures(tmp_path):
    fc = _fc(tmp_path)
    assert fc.published_checks("Mexico's homicide rate has dropped significantly") == []  # nothing stored yet
    fc.ingest_factchecks(FIXTURES)
    found = fc.published_checks("Mexico's homicide rate has dropped significantly, Sheinbaum said.")
    assert found and found[0].review.url == HOMICIDES and found[0].review.rating == "Mostly true"
    assert found[0].match == Verification.SUPPORTS
    assert len(fc.published_checks("Mexico's homicide rate has dropped", k=1)) <= 1
    with pytest.raises(FactcheckError, match="empty"):
        fc.published_checks("   ")


def test_a_rating_never_changes_the_verdict(tmp_path):
    from conftest import make_draft

    fc = _fc(tmp_path)
    fc.store.add_article(make_draft("Outlet A", ["Mexico's homicide rate has dropped significantly, Sheinbaum said."]))
    claim = "Mexico's homicide rate has dropped significantly, Sheinbaum said."
    before = fc.check(claim, claim_source="Someone")
    fc.ingest_factchecks(FIXTURES)
    after = fc.check(claim, claim_source="Someone")
    assert fc.published_checks(claim)[0].review.rating == "Mostly true"
    assert after.verdict == before.verdict


def test_review_vectors_are_cached_until_a_review_is_added(tmp_path):
    fc = _fc(tmp_path)
    fc.ingest_factchecks(FIXTURES / "reviews.csv")
    fc.published_checks("Rents in Lakeport doubled")
    enc = fc.encoder
    calls = enc.encoder.calls if hasattr(enc, "encoder") else enc.calls  # type: ignore[attr-defined]
    fc.published_checks("Rents in Lakeport doubled since 2020")
    after = enc.encoder.calls if hasattr(enc, "encoder") else enc.calls  # type: ignore[attr-defined]
    assert after - calls <= 1  # the new claim only
    fc.ingest_factchecks(FIXTURES / "feed.json")
    found = fc.published_checks("Drinking three cups of green tea a day cures type 2 diabetes.")
    assert found[0].review.rating == "False"
    assert np.isfinite(found[0].similarity)


def test_an_uploads_bytes_are_read_as_its_file_would_be_and_too_many_are_refused():
    path = FIXTURES / "feed.json"
    from_file = [replace(d, origin="") for d in factchecks.read(str(path), Settings()).drafts]
    upload = factchecks.read_bytes("feed.json", path.read_bytes(), Settings())
    assert [replace(d, origin="") for d in upload.drafts] == from_file and from_file
    assert {d.origin for d in upload.drafts} == {"feed.json"}  # the upload's name, not a path
    sniffed = factchecks.read_bytes("no-suffix", path.read_bytes(), Settings())  # JSON told by its first byte
    assert [replace(d, origin="") for d in sniffed.drafts] == from_file
    with pytest.raises(IngestError, match="larger than"):
        factchecks.read_bytes("feed.json", path.read_bytes(), Settings(max_input_bytes=10))


def test_an_uploads_odd_name_is_shown_readably_not_a_crash(tmp_path):
    fc = Factcheck(Settings(store_dir=tmp_path / "store"), encoder=FakeEncoder(), verifier=FakeVerifier())
    got = fc.ingest_factcheck_bytes("caf\udcff.json", (FIXTURES / "feed.json").read_bytes())
    assert got.added and got.origin == "caf\\xff.json"
