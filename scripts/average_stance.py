"""Average the weights of trained stance models (a "model soup"): how the pass 2 + pass 3 model that
pass 4 starts from was made (factcheck/models/stance/MODEL_CARD.md).

    python scripts/average_stance.py .train2/out .train3/out --out .train23
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from safetensors.torch import load_file, save_file

COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json", "factcheck_stance.json")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+", type=Path, help="model folders written by train_stance.py")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    weights = [load_file(m / "model.safetensors") for m in args.models]
    if any(w.keys() != weights[0].keys() for w in weights):
        raise SystemExit("the models have different layers: only passes of one architecture can be averaged")
    mean = {k: (sum(w[k].float() for w in weights) / len(weights)).to(weights[0][k].dtype)
            if weights[0][k].is_floating_point() else weights[-1][k] for k in weights[0]}
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(mean, args.out / "model.safetensors", metadata={"format": "pt"})
    for name in COPIED:
        if (args.models[-1] / name).is_file():
            shutil.copy(args.models[-1] / name, args.out / name)
    meta_file = args.out / "factcheck_stance.json"
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    meta["averaged"] = [str(m) for m in args.models]
    # every averaged model's passes, once each: the benchmark replays all their seeds (train_stance.py)
    passes: list[dict] = []
    for m in args.models:
        mf = m / "factcheck_stance.json"
        for p in json.loads(mf.read_text()).get("passes", []) if mf.is_file() else []:
            if p not in passes:
                passes.append(p)
    if passes:
        meta["passes"] = passes
    meta_file.write_text(json.dumps(meta, indent=2))
    print(f"wrote the mean of {len(weights)} models to {args.out}")


if __name__ == "__main__":
    main()
