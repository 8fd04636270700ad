"""The training scripts' bookkeeping: every pass behind a model is recorded (bench/stance.py replays the
seeds to keep SNLI rows any pass drew out of its held-out set)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))
from train_stance import earlier_passes  # noqa: E402


def _model(d: Path, meta: dict, value: float) -> Path:
    d.mkdir()
    save_file({"w": torch.full((2, 2), value, dtype=torch.float16)}, d / "model.safetensors")
    (d / "factcheck_stance.json").write_text(json.dumps(meta))
    return d


def test_earlier_passes_come_from_the_init_models_record(tmp_path):
    assert earlier_passes(None) == [] and earlier_passes(tmp_path) == []
    one = _model(tmp_path / "one", {"seed": 13, "lr": 4e-5, "init": None}, 0.0)
    assert [p["seed"] for p in earlier_passes(one)] == [13]
    two = _model(tmp_path / "two", {"seed": 29, "passes": [{"seed": 13}, {"seed": 29}]}, 0.0)
    assert [p["seed"] for p in earlier_passes(two)] == [13, 29]


def test_average_keeps_every_pass_once_and_averages_weights(tmp_path):
    a = _model(tmp_path / "a", {"passes": [{"seed": 13}, {"seed": 29}]}, 1.0)
    b = _model(tmp_path / "b", {"passes": [{"seed": 13}, {"seed": 29}, {"seed": 41}]}, 3.0)
    subprocess.run([sys.executable, str(SCRIPTS / "average_stance.py"), str(a), str(b), "--out", str(tmp_path / "m")],
                   check=True, capture_output=True)
    meta = json.loads((tmp_path / "m" / "factcheck_stance.json").read_text())
    assert [p["seed"] for p in meta["passes"]] == [13, 29, 41]
    from safetensors.torch import load_file

    assert torch.all(load_file(tmp_path / "m" / "model.safetensors")["w"] == 2.0)


def test_checkworthy_finetune_epoch_balances_classes_and_gives_news_its_share():
    import numpy as np
    from train_checkworthy_finetune import epoch_rows

    debate = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1] + [0] * 90)
    news = np.array([1] * 30 + [0] * 30)
    hp = {"neg_per_pos": 3, "news_weight": 0.3}
    src, row, w = epoch_rows(debate, news, hp, np.random.default_rng(0))
    d, n = src == 0, src == 1
    assert sorted(row[d][debate[row[d]] == 1]) == [0, 9]  # every positive, once
    assert (debate[row[d]] == 0).sum() == 6 and len(set(row[d])) == d.sum()  # 3 negatives per positive, no repeats
    pos_w, neg_w = w[d][debate[row[d]] == 1].sum(), w[d][debate[row[d]] == 0].sum()
    assert abs(pos_w - neg_w) < 1e-9  # the classes weigh the same
    assert abs(w[n].sum() / w.sum() - 0.3) < 1e-9 and news[row[n]].sum() == n.sum() / 2  # news: its share, balanced
    again = epoch_rows(debate, news, hp, np.random.default_rng(0))
    assert all((a == b).all() for a, b in zip(again, (src, row, w), strict=True))  # seeded


def test_checkworthy_finetune_record_rewrites_only_the_weight_and_the_figures(tmp_path):
    """After the regression beside it changes, `record` writes the average's new weight and the figures `cv` and
    `bench` measured, keeping the rest of the spec (its training record) as it was."""
    out, work = tmp_path / "cross", tmp_path / "work"
    out.mkdir()
    work.mkdir()
    spec = {"format": "factcheck-checkworthy-cross/1", "weight": 0.75, "max_length": 96, "hp": {"epochs": 4},
            "train_seconds": 653, "measured": {"cv": {"old": 1}}}
    (out / "factcheck_checkworthy.json").write_text(json.dumps(spec), encoding="utf-8")
    (work / "cv.json").write_text(json.dumps({"cv": {"new": 2}}), encoding="utf-8")
    (work / "bench.json").write_text(json.dumps({"held_apart": {"new": 3}}), encoding="utf-8")
    subprocess.run([sys.executable, str(SCRIPTS / "train_checkworthy_finetune.py"), "record", "--work", str(work),
                    "--out", str(out), "--weight", "0.25"], check=True, capture_output=True)
    got = json.loads((out / "factcheck_checkworthy.json").read_text(encoding="utf-8"))
    assert got["weight"] == 0.25
    assert got["measured"] == {"cv": {"cv": {"new": 2}}, "bench": {"held_apart": {"new": 3}}}
    assert {k: got[k] for k in ("format", "max_length", "hp", "train_seconds")} == \
        {k: spec[k] for k in ("format", "max_length", "hp", "train_seconds")}
    assert "recorded" in got


@pytest.mark.model
def test_checkworthy_finetune_trains_and_saves_a_model_that_scores(tmp_path):
    """The training script end to end on two tiny debates (no news): a safetensors model that loads and scores."""
    data = tmp_path / "debates"
    data.mkdir()
    lines = ["1\tA\tGood evening and welcome.\t0", "2\tB\tUnemployment fell to 3.7 percent in 2018.\t1",
             "3\tA\tThank you, Senator.\t0", "4\tB\tWe spent 40 billion dollars on roads last year.\t1",
             "5\tA\tLet us move on.\t0", "6\tB\tI think we can do better.\t0"]
    for name in ("a", "b"):
        (data / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    hp = {"epochs": 1, "neg_per_pos": 1, "news_weight": 0, "max_length": 32, "batch": 4}
    subprocess.run([sys.executable, str(SCRIPTS / "train_checkworthy_finetune.py"), "train", "--data", str(data),
                    "--work", str(tmp_path / "work"), "--out", str(out), "--hp", json.dumps(hp)],
                   check=True, capture_output=True)
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    # the script's default weight is the one shipped beside the weights it trained
    shipped = SCRIPTS.parent / "factcheck" / "models" / "checkworthy" / "cross" / "factcheck_checkworthy.json"
    assert json.loads((out / "factcheck_checkworthy.json").read_text())["weight"] == \
        json.loads(shipped.read_text())["weight"] == 0.5
    assert not list(out.glob("*.bin")) and not list(out.glob("*.pkl"))  # no pickle
    from train_checkworthy_finetune import load_base, predict

    model, tok = load_base(str(out))
    model.eval()
    p = predict(model, tok, ["A: ", "B: Good evening."], ["Thank you.", "Taxes rose by 3% in 2018."])
    assert p.shape == (2,) and ((p > 0) & (p < 1)).all()
