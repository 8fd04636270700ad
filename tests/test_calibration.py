"""calibration: softmax, the fitted temperature, the JSON beside a model's weights."""
from __future__ import annotations

import json

import numpy as np
import pytest

from factcheck.calibration import CALIBRATION_FILE, fit_temperature, read_json, softmax, temperature


def test_softmax_rows_are_probabilities():
    p = softmax(np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]))
    assert p.dtype == np.float32 and np.allclose(p.sum(axis=1), 1.0)
    assert p[0].tolist() == pytest.approx([1.0, 0.0, 0.0]) and p[1].tolist() == pytest.approx([1 / 3] * 3)


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, 4)).astype(np.float32)
    p = softmax(logits / 2.0)
    labels = np.array([rng.choice(4, p=row / row.sum()) for row in p])
    assert fit_temperature(logits, labels) == pytest.approx(2.0, rel=0.1)


def test_a_missing_or_unreadable_file_means_the_defaults(tmp_path):
    assert temperature(tmp_path) == 1.0 and read_json(tmp_path / "absent.json") == {}
    (tmp_path / CALIBRATION_FILE).write_text("[1, 2]")  # JSON, but not an object
    assert temperature(tmp_path) == 1.0
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"temperature": 1.7}))
    assert temperature(tmp_path) == 1.7
