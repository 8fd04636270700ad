"""What the FAISS backend knows of each vector besides the vector: its passage's source and article, kept in
`index.fields` beside `index.faiss`, and the FAISS selectors a `Where` becomes, cached until the vectors change.

FAISS itself stores ids and vectors only, so the fields live here, as three parallel arrays (passage id, source
code, article id) and the source names the codes point into; the file is a numpy .npz loaded without pickle.
A filter is turned into a key of what is held first (the codes of the sources admitted, a code refused, an
article refused), dropping whatever no vector carries and an article outside the sources admitted: retrieval
per source asks `Where(sources={s}, exclude_article=a)` for every source s and claim, and most of those are
the one selector of source s. Selectors come from factcheck.vectors.faiss_build (FAISS is imported there).
"""
from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from factcheck.vectors.base import Where
from factcheck.vectors.faiss_build import Selector, and_selector, ids_selector, not_selector, search_params

# Filters (and articles' ids) remembered between searches, until the vectors change: a compare run asks
# one filter per claim and source, most of them the same source's selector.
FILTER_CACHE = 1024

FilterKey = tuple[frozenset[int] | None, int | None, int | None]  # (source codes in, source code out, article out)


@dataclass(frozen=True)
class Filter:
    """What a search with one `Where` hands FAISS."""

    sel: Selector | None  # None: every vector passes
    params: Any  # FAISS's search parameters carrying sel (and nprobe for IVF)
    source: int | None = None  # the one source code admitted, when that is all the filter says
    nothing: bool = False  # no vector held passes: no search at all


NOTHING = Filter(None, None, nothing=True)


class Fields:
    """Each held vector's passage id, source (a code into `names`) and article id, in no particular order."""

    def __init__(self, ids: np.ndarray | None = None, codes: np.ndarray | None = None,
                 articles: np.ndarray | None = None, names: Sequence[str] = ()) -> None:
        self.ids = ids if ids is not None else np.zeros(0, dtype=np.int64)
        self.codes = codes if codes is not None else np.zeros(0, dtype=np.int32)
        self.articles = articles if articles is not None else np.zeros(0, dtype=np.int64)
        self.names = list(names)
        self.code_of = {name: code for code, name in enumerate(self.names)}

    def __len__(self) -> int:
        return len(self.ids)

    def _code(self, name: str) -> int:
        code = self.code_of.get(name)
        if code is None:
            code = self.code_of[name] = len(self.names)
            self.names.append(name)
        return code

    def add(self, ids: np.ndarray, sources: Sequence[str], articles: np.ndarray) -> None:
        codes = np.fromiter((self._code(str(s)) for s in sources), dtype=np.int32, count=len(ids))
        self.ids = np.concatenate([self.ids, ids])
        self.codes = np.concatenate([self.codes, codes])
        self.articles = np.concatenate([self.articles, articles])

    def drop(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self.ids, ids)
        self.ids, self.codes, self.articles = self.ids[keep], self.codes[keep], self.articles[keep]

    def write(self, f: IO[bytes]) -> None:
        """The fields as an .npz (no pickled objects); names no vector carries any more are left out."""
        used, codes = np.unique(self.codes, return_inverse=True)
        # ensure_ascii: a name with a lone surrogate (odd bytes in a file name) round-trips as \udcxx
        names = json.dumps([self.names[int(c)] for c in used]).encode("ascii")
        np.savez(f, ids=self.ids, codes=codes.astype(np.int32).reshape(-1), articles=self.articles,
                 names=np.frombuffer(names, dtype=np.uint8))

    @classmethod
    def read(cls, path: Path) -> Fields:
        """What `write` wrote; anything else is a ValueError (or the zip reader's error) saying what is wrong."""
        with np.load(path, allow_pickle=False) as z:
            ids, codes, articles, raw = (z[key] for key in ("ids", "codes", "articles", "names"))
        names = json.loads(raw.tobytes().decode("ascii"))
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError("its source names are not a list of strings")
        if any(a.ndim != 1 or a.dtype.kind not in "iu" for a in (ids, codes, articles)):
            raise ValueError("its arrays are not 1-D integers")
        if not len(ids) == len(codes) == len(articles):
            raise ValueError(f"it holds {len(ids)} ids, {len(codes)} sources and {len(articles)} articles")
        if len(codes) and (int(codes.min()) < 0 or int(codes.max()) >= len(names)):
            raise ValueError("a source code points past its names")
        return cls(ids.astype(np.int64), codes.astype(np.int32), articles.astype(np.int64), names)


class Filters:
    """The selectors (and FAISS search parameters) of the filters searches asked for, until `clear`."""

    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self._params: OrderedDict[FilterKey | None, Filter] = OrderedDict()
        self._asked: OrderedDict[Where | None, Filter] = OrderedDict()  # the same, by the Where asked
        self._of_source: dict[int, tuple[np.ndarray, Selector]] = {}
        self._of_article: OrderedDict[int, tuple[np.ndarray, frozenset[int]]] = OrderedDict()

    def clear(self) -> None:
        """The vectors changed: every selector may be wrong."""
        self._params.clear()
        self._asked.clear()
        self._of_source.clear()
        self._of_article.clear()

    def get(self, where: Where | None, probes: tuple[int, int] | None) -> Filter:
        """The selector for `where` and the search parameters that carry it (`probes`: an IVF index's lists to
        probe unfiltered and filtered; None for a flat one); NOTHING when no vector held passes."""
        asked = self._asked.get(where)
        if asked is not None:
            return asked
        found = self._made(where, probes)
        self._asked[where] = found
        if len(self._asked) > FILTER_CACHE:
            self._asked.popitem(last=False)
        return found

    def _made(self, where: Where | None, probes: tuple[int, int] | None) -> Filter:
        if where is not None and where.articles is not None:
            return self._of_articles(where, probes)
        key = self._key(where) if where is not None else None
        if key is not None and key[0] is not None and not key[0]:
            return NOTHING
        if key == (None, None, None):
            key = None
        found = self._params.get(key)
        if found is not None:
            self._params.move_to_end(key)
            return found
        parts: list[Selector] = []
        if key is not None:  # the key holds only sources and articles with vectors (_key)
            codes_in, code_out, article = key
            if codes_in is not None and len(codes_in) == 1:
                parts.append(self._source(next(iter(codes_in)))[1])
            elif codes_in is not None:
                parts.append(ids_selector(np.concatenate([self._source(c)[0] for c in sorted(codes_in)])))
            elif code_out is not None:
                parts.append(not_selector(self._source(code_out)[1]))
            if article is not None:
                parts.append(not_selector(ids_selector(self._article(article)[0])))
        sel = None if not parts else parts[0] if len(parts) == 1 else and_selector(parts[0], parts[1])
        one = next(iter(key[0])) if key is not None and key[0] is not None and len(key[0]) == 1 and key[2] is None \
            else None
        nprobe = None if probes is None else probes[1] if sel is not None else probes[0]
        found = Filter(sel, search_params(sel, nprobe), one)
        self._params[key] = found
        if len(self._params) > FILTER_CACHE:
            self._params.popitem(last=False)
        return found

    def _of_articles(self, where: Where, probes: tuple[int, int] | None) -> Filter:
        """A filter keeping some articles (a story's): the rest of `where` and-ed with their vectors' ids; not
        cached beyond the Where asked, since few are asked (one per story compared)."""
        assert where.articles is not None
        kept = self.fields.ids[np.isin(self.fields.articles, np.fromiter(where.articles, dtype=np.int64))]
        if not len(kept):
            return NOTHING
        rest = self._made(replace(where, articles=None), probes)
        if rest.nothing:
            return NOTHING
        sel = ids_selector(np.ascontiguousarray(kept)) if rest.sel is None else and_selector(
            rest.sel, ids_selector(np.ascontiguousarray(kept)))
        return Filter(sel, search_params(sel, None if probes is None else probes[1]))

    def _key(self, where: Where) -> FilterKey:
        """`where` in terms of what is held: the source codes admitted (an empty set: none), a source code
        refused, an article refused; a name or article no vector carries, or an article outside the sources
        admitted, drops out, so equivalent filters share one cached selector."""
        f = self.fields
        codes_in: frozenset[int] | None = None
        code_out: int | None = None
        if where.sources is not None:
            codes_in = frozenset(c for s in where.sources if s != where.exclude_source
                                 and (c := f.code_of.get(s)) is not None and len(self._source(c)[0]))
            if not codes_in:
                return codes_in, None, None
        elif where.exclude_source is not None:
            code_out = f.code_of.get(where.exclude_source)
            if code_out is not None and not len(self._source(code_out)[0]):
                code_out = None
        article = where.exclude_article
        if article is not None:
            held, codes = self._article(article)
            if (not len(held) or (codes_in is not None and not codes & codes_in)
                    or (code_out is not None and codes <= {code_out})):
                article = None
        return codes_in, code_out, article

    def _source(self, code: int) -> tuple[np.ndarray, Selector]:
        """The ids of one source's vectors and a selector admitting them."""
        found = self._of_source.get(code)
        if found is None:
            ids = np.ascontiguousarray(self.fields.ids[self.fields.codes == code])
            found = self._of_source[code] = (ids, ids_selector(ids))
        return found

    def _article(self, article: int) -> tuple[np.ndarray, frozenset[int]]:
        """The ids of one article's vectors and the codes of their sources."""
        found = self._of_article.get(article)
        if found is None:
            mask = self.fields.articles == article
            found = (self.fields.ids[mask], frozenset(np.unique(self.fields.codes[mask]).tolist()))
            self._of_article[article] = found
            if len(self._of_article) > FILTER_CACHE:
                self._of_article.popitem(last=False)
        return found
