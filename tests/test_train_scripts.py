"""The training scripts' bookkeeping: every pass behind a model is recorded (bench/stance.py replays the
seeds to keep SNLI rows any pass drew out of its held-out set)."""
import json
import subprocess
import sys
from pathlib import Path

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
