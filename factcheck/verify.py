"""Claim verification: does one evidence passage state a claim, contradict it, or not settle it?

The model is a MiniLM-L6 cross-encoder fine-tuned by scripts/train_verify.py on sentence-level
claim–evidence pairs (VitaminC, FEVER, COVID-Fact, ANLI, EQUATE, Curriculum, counterfactual SNLI, SNLI and
contrastive pairs written from real news by factcheck.contrast). It reads (claim, passage) — one passage,
not a whole article — and returns probabilities in ``VERIFICATIONS`` order (supports, conflicts, nei),
calibrated by one temperature fitted on held-apart pairs (bench/verify.py calibrate, stored as JSON).

Details are evidence (``judge``): when the model reads a passage as stating the claim but the two differ in
a number, date, name, negation, direction or outcome (factcheck.mismatch), the passage does not state the
claim: its supports mass moves, to conflicts (``DETAIL_TO_CONFLICTS`` of it) when the detail contradicts, to
nei when it only shows the claim is not stated (another name). A negation in the passage of a word the claim
never uses is about something else and blocks nothing.
The rules kept are the ones that helped on the project's own multi-outlet suite (bench/verify.py rules;
figures in MODEL_CARD.md).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from factcheck.calibration import read_json, softmax, temperature
from factcheck.errors import ModelMissingError
from factcheck.labels import VERIFICATIONS, MismatchKind, Probabilities, Verification
from factcheck.mismatch import Mismatch

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "verify"
MAX_LENGTH = 128
MAX_CLAIM_CHARS = 600
# mismatch kinds that, on a pair the model reads as support, show the passage states something else
BLOCKING_KINDS = frozenset({MismatchKind.NUMBER, MismatchKind.DATE, MismatchKind.NEGATION, MismatchKind.DIRECTION,
                            MismatchKind.OPPOSITE, MismatchKind.ENTITY})
DETAIL_TO_CONFLICTS = 0.85  # of the supports mass a blocking mismatch moves, the share that goes to conflicts
# kinds that show the passage does not state the claim but not that it states the opposite (a name of the claim
# absent where another is named): their mass goes to nei
NOT_STATED_KINDS = frozenset({MismatchKind.ENTITY})


class Verifier(Protocol):
    """What checks need from a verifier; tests pass a fake with fixed probabilities."""

    def scores(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray: ...


def label_of(row: np.ndarray | Sequence[float]) -> Verification:
    return VERIFICATIONS[int(np.argmax(row))]


def scores_dict(row: np.ndarray | Sequence[float]) -> dict[str, float]:
    return {str(lab): round(float(p), 4) for lab, p in zip(VERIFICATIONS, row, strict=True)}


def pair_logits(model: Any, tokenizer: Any, firsts: Sequence[str], seconds: Sequence[str], *, width: int,
                max_length: int, batch_size: int, bf16: bool) -> np.ndarray:
    """A sequence-pair classifier's raw logits, (n, width): pairs batched by length so little is spent on
    padding, both texts cut to fit, in bf16 autocast where `bf16` (the verifier's and the check-worthiness
    cross-encoder's way of reading pairs)."""
    import torch

    out = np.zeros((len(firsts), width), dtype=np.float32)
    order = sorted(range(len(firsts)), key=lambda i: len(firsts[i]) + len(seconds[i]))
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            enc = tokenizer([firsts[i] for i in idx], [seconds[i] for i in idx], truncation="longest_first",
                            max_length=max_length, padding=True, return_tensors="pt")
            out[idx] = model(**enc).logits.float().numpy()
    return out


class VerifyModel:
    """The cross-encoder and its temperature; `scores` returns calibrated (n, 3) probabilities."""

    def __init__(self, model: Any, tokenizer: Any, *, temperature: float = 1.0, max_length: int = MAX_LENGTH,
                 batch_size: int = 64, bf16: bool = False, path: Path | None = None) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.temperature = float(temperature)
        self.max_length = max_length
        self.batch_size = batch_size
        self.bf16 = bf16
        self.path = path

    def logits(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        """Raw logits, (n, 3)."""
        if len(claims) != len(evidence):
            raise ValueError(f"{len(claims)} claims but {len(evidence)} evidence passages")
        return pair_logits(self.model, self.tokenizer, [c[:MAX_CLAIM_CHARS] for c in claims], evidence,
                           width=len(VERIFICATIONS), max_length=self.max_length, batch_size=self.batch_size,
                           bf16=self.bf16)

    def scores(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        if not len(claims):
            return np.zeros((0, len(VERIFICATIONS)), dtype=np.float32)
        return softmax(self.logits(claims, evidence) / self.temperature)


def load_verifier(path: str | os.PathLike[str] | None = None, *, threads: int | None = None,
                  batch_size: int = 64) -> VerifyModel:
    """The packaged verifier (factcheck/models/verify) or the one at `path`, on the CPU.

    Weights ship in fp16 to stay small and are computed in fp32, or in bf16 where the CPU has bf16 units (AMX or
    AVX512-BF16: about twice as fast; `bench/verify.py pairs` prints which ran)."""
    model_dir = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if not (model_dir / "config.json").is_file():
        raise ModelMissingError(
            f"No claim verifier in {model_dir}. Train it with `python scripts/train_verify.py` "
            "(see factcheck/models/verify/MODEL_CARD.md) or reinstall factcheck, which ships the trained weights.")
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(threads or max(1, min(os.cpu_count() or 1, 4)))
    # a training checkpoint has no tokenizer: the packaged MiniLM tokenizer is the same one
    has_tok = (model_dir / "tokenizer_config.json").is_file()
    from factcheck.embed import model_path, quiet_loading

    tok = AutoTokenizer.from_pretrained(str(model_dir) if has_tok else model_path())

    with quiet_loading():
        model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), dtype=torch.float32)
    model.eval()
    meta = read_json(model_dir / "factcheck_verify.json")
    return VerifyModel(model, tok, temperature=temperature(model_dir),
                       max_length=int(meta.get("max_length", MAX_LENGTH)), batch_size=batch_size,
                       bf16=uses_bf16(), path=model_dir)


def uses_bf16() -> bool:
    """Does the verifier compute in bf16 here ($FACTCHECK_VERIFY_BF16: 1, 0 or auto, the CPU's units)?"""
    from factcheck.precision import wants_bf16

    return wants_bf16("FACTCHECK_VERIFY_BF16")


# --- details are evidence ---------------------------------------------------------------------

def contradicts(m: Mismatch) -> bool:
    """Does this differing detail state something incompatible (another figure, date or outcome, a negation),
    rather than only leave the claim unstated (another name)?"""
    return m.kind not in NOT_STATED_KINDS


def bears_on_claim(m: Mismatch) -> bool:
    """A negation in the passage of a word the claim never uses ("…, though it did not say which plants") is
    about something else: it neither blocks nor contradicts. Nor does another place or nationality named beside
    the claim's ("Mexico's homicide rate" against "the country's …, crediting joint work with U.S. agencies"):
    news names several at once — unless the passage keeps the claim's other places and swaps one ("Alabama and
    Georgia" for "Alabama and Florida"). Another person or organisation does block."""
    if m.kind == MismatchKind.NEGATION:
        return m.claim_span[0] >= 0
    if m.kind == MismatchKind.ENTITY:
        return m.group in ("", "name") or (m.group == "place" and m.swapped)
    return True


@dataclass(frozen=True)
class Judgement:
    """One (claim, passage) pair judged: the label, probabilities after the detail rule, the model's own."""

    label: Verification
    scores: Probabilities  # after the detail rule
    model_scores: Probabilities  # the verifier's calibrated probabilities
    mismatches: tuple[Mismatch, ...]
    blocked_by: Mismatch | None = None  # the differing detail that kept the passage from supporting

    @property
    def model_label(self) -> Verification:
        return label_of(self.model_scores)

    def p(self, label: Verification | str) -> float:
        return self.scores.of(label)


# a probability row's columns (VERIFICATIONS order), for the rule that moves mass between them
_SUP, _CON, _NEI = (VERIFICATIONS.index(v) for v in (Verification.SUPPORTS, Verification.CONFLICTS, Verification.NEI))


def judge(probs: np.ndarray | Sequence[float], mismatches: Sequence[Mismatch], *,
          kinds: frozenset[str] = BLOCKING_KINDS, to_conflicts: float = DETAIL_TO_CONFLICTS,
          similarity: float | None = None, same_event: float | None = None) -> Judgement:
    """The label of one pair from the verifier's probabilities and the details that differ.

    A passage the model reads as support (supports its most probable label) that differs from the claim in a
    blocking detail does not state the claim: all of its supports mass moves, `to_conflicts` of it to
    conflicts and the rest to nei (all of it to nei for a detail that does not contradict, ``contradicts``).

    A passage the model reads as not settling the claim, but so close to it (`similarity` ≥ `same_event`, the
    retrieval cosine) that both describe one event or quantity, and that differs in a contradicting detail
    (another figure, date or outcome of it), contradicts the claim: its nei mass moves to conflicts,
    `to_conflicts` of it. `kinds`, `to_conflicts` and `same_event` let the benchmark measure each rule."""
    p = np.asarray(probs, dtype=np.float32)
    q = p.copy()
    blocking = [m for m in mismatches if m.kind in kinds and bears_on_claim(m)]
    # the most telling first: a detail that contradicts, then one that only shows the claim is not stated
    blocker = min(blocking, key=lambda m: not contradicts(m), default=None)
    label = label_of(p)
    if blocker is not None and label == Verification.SUPPORTS:
        share = to_conflicts if contradicts(blocker) else 0.0
        q[_CON] += share * q[_SUP]
        q[_NEI] += (1.0 - share) * q[_SUP]
        q[_SUP] = 0.0
    elif (blocker is not None and label == Verification.NEI and contradicts(blocker) and same_event is not None
          and similarity is not None and similarity >= same_event):
        moved = to_conflicts * q[_NEI]
        q[_CON] += moved
        q[_NEI] -= moved
    else:
        blocker = None
    return Judgement(label_of(q), Probabilities.of_row(q), Probabilities.of_row(p), tuple(mismatches), blocker)


def judge_pairs(verifier: Verifier, claims: Sequence[str], evidence: Sequence[str]) -> list[Judgement]:
    """(claim, evidence passage) pairs, each judged on its own: the verifier's probabilities, then the detail
    rule (`judge`) with every differing detail found (factcheck.mismatch)."""
    from factcheck.mismatch import find_mismatches

    if not len(claims):
        return []
    probs = verifier.scores(list(claims), list(evidence))
    return [judge(p, find_mismatches(c, e)) for c, e, p in zip(claims, evidence, probs, strict=True)]
