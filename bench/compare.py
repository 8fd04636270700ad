"""The stored analysis (factcheck.analysis) on AllSides: full and incremental compare time, claims/s, page-open.

A store of the first --stories AllSides stories (their left / center / right articles, through
`Factcheck.ingest_paths` with the real models), less one held-out article. Then, per story the store grouped:
1. cold: every story's claims checked and stored (`Factcheck.analyse_stories`), claims/s;
2. page open: a new facade (no model loaded, as a new dashboard process) runs `compare(story=)` on each story,
   all of it read from the store;
3. add the held-out article, then bring every story up to date: how many claims were checked again, and how long;
4. remove one article of another story, the same.

    .venv/bin/python bench/compare.py [--stories 100] [--json] [--keep DIR | --reuse DIR]

--keep DIR leaves a copy of the store, as the cold analysis left it, in DIR; --reuse DIR starts from that copy
(made with the same --stories), skipping the ingest and the cold analysis: the sweeps can be timed again and
again without the minutes of checking every claim.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
OUT = ROOT / "bench" / "out"


def allsides(n_stories: int) -> list[list[dict[str, Any]]]:
    """The first n stories with three outlets' bodies, each a list of `factcheck ingest` JSON objects."""
    out = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        arts = [{"source": n["newsSource"], "title": n["newsTitle"], "url": n["newsLink"],
                 "date": (story.get("date") or "")[:10] or None, "text": "\n\n".join(n["newBody"])}
                for side in ("left", "center", "right") if (n := story.get("news", {}).get(side)) and n.get("newBody")]
        if len(arts) == 3:
            out.append(arts)
        if len(out) >= n_stories:
            break
    return out


def refresh_all(fc: Any) -> dict[str, Any]:
    """Every story brought up to date (`Factcheck.analyse_stories`); claims checked again per story, seconds, and
    of them the seconds spent in the stories where a claim was checked again (`touched_s`: the checking) and in
    the others (`others_s`: finding nothing to do), timed between the sweep's progress calls (one a story)."""
    ids = [s.id for s in fc.stories()]
    marks: list[float] = []
    t = time.perf_counter()
    per = {sid: (r.claims, r.rechecked)
           for sid, r in fc.analyse_stories(progress=lambda *_: marks.append(time.perf_counter())).items()}
    secs = time.perf_counter() - t
    touched = {sid: re for sid, (_, re) in per.items() if re}
    spent = dict(zip(ids, (b - a for a, b in zip(marks, marks[1:], strict=False)), strict=False))
    return {"seconds": round(secs, 2), "claims": sum(c for c, _ in per.values()),
            "rechecked": sum(touched.values()), "stories_touched": touched, "stories": len(per),
            "touched_s": round(sum(v for k, v in spent.items() if k in touched), 2),
            "others_s": round(sum(v for k, v in spent.items() if k not in touched), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    kept = ap.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, help="leave a copy of the store after the cold analysis here")
    kept.add_argument("--reuse", type=Path, help="start from a store --keep left (same --stories; checks stored "
                      "before a rule module changed, analysis.py included, are all checked again)")
    args = ap.parse_args()
    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    stories = allsides(args.stories)
    held = stories[0].pop()  # one outlet of the first story, added later
    res: dict[str, Any] = {"stories_read": len(stories)}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        src = Path(tmp) / "articles.json"
        src.write_text(json.dumps([a for arts in stories for a in arts]), encoding="utf-8")
        if args.reuse:
            shutil.copytree(args.reuse, store)
            fc = Factcheck(Settings(store_dir=store))
            res["ingest"] = {"reused": str(args.reuse), **fc.stats(), "stories": len(fc.stories())}
            fc.verifier.scores(["warm up"], ["the verifier"])
        else:
            fc = Factcheck(Settings(store_dir=store))
            t = time.perf_counter()
            fc.ingest_paths([src])
            st = fc.stats()
            res["ingest"] = {"seconds": round(time.perf_counter() - t, 1), **st, "stories": len(fc.stories())}
            print("ingested", res["ingest"], flush=True)

            fc.verifier.scores(["warm up"], ["the verifier"])  # load it outside the timings
            t = time.perf_counter()
            cold = refresh_all(fc)
            cold["claims_per_s"] = round(cold["claims"] / max(cold["seconds"], 1e-9), 2)
            cold.pop("stories_touched")
            res["cold"] = cold
            print("cold", cold, flush=True)
            if args.keep:
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.copytree(store, args.keep)

        # a new process's facade: nothing loaded; every story's Consistency read from the store
        fresh = Factcheck(Settings(store_dir=store))
        opens = []
        for s in fresh.stories():
            t = time.perf_counter()
            fresh.compare(story=s.id)
            opens.append(time.perf_counter() - t)
        res["page_open"] = {"stories": len(opens), "median_s": round(statistics.median(opens), 4),
                            "max_s": round(max(opens), 4), "models_loaded": fresh._shared.encoder is not None
                            or fresh._shared.verifier is not None}
        print("page open", res["page_open"], flush=True)
        again = refresh_all(fc)
        res["again"] = {k: again[k] for k in ("seconds", "claims", "rechecked")}
        print("again", res["again"], flush=True)

        t = time.perf_counter()
        added = fc.ingest_text(held["text"], source=held["source"], title=held["title"], date=held["date"])
        ingest_s = time.perf_counter() - t
        res["add_one"] = {"ingest_s": round(ingest_s, 2), **refresh_all(fc)}
        res["add_one"]["story_of_added"] = next((s.id for s in fc.stories() if added.article_id in s.articles), None)
        print("add one", res["add_one"], flush=True)

        victim = fc.stories()[-1].articles[0]
        t = time.perf_counter()
        fc.remove_article(victim)
        res["remove_one"] = {"remove_s": round(time.perf_counter() - t, 2), **refresh_all(fc)}
        print("remove one", res["remove_one"], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "compare.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    if args.json:
        print(json.dumps(res, default=str))


if __name__ == "__main__":
    main()
