"""Calibration: a cross-encoder's logits as probabilities, scaled by one temperature fitted on held-apart pairs.

The stance model and the verifier are calibrated alike (bench/stance.py and bench/verify.py `calibrate` fit the
temperature and write it), and each reads its temperature and its training settings from JSON beside its
weights: never pickle.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = "calibration.json"


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising negative log-likelihood (a 1-D grid then a finer grid: no scipy needed)."""
    def nll(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12)))

    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 60))
    best = min(grid, key=nll)
    fine = np.linspace(best * 0.92, best * 1.08, 33)
    return round(float(min(fine, key=nll)), 4)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object stored beside a model's weights; {} when it is absent or unreadable (defaults then apply)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def temperature(model_dir: Path) -> float:
    """The temperature stored for the model in `model_dir` (1.0, no scaling, when none is)."""
    return float(read_json(model_dir / CALIBRATION_FILE).get("temperature", 1.0))
