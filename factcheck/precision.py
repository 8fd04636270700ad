"""Arithmetic precision: whether a model computes in bfloat16 on this machine.

The three MiniLM models (the sentence encoder, the check-worthiness cross-encoder, the claim verifier) run in
bfloat16 where the CPU has bf16 units (AVX512-BF16, AMX) and in float32 elsewhere; one environment variable
each forces it ("1", "0"; "auto" or unset: the CPU decides). This module only reads /proc/cpuinfo and the
environment: no torch.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

UNITS = frozenset({"amx_bf16", "avx512_bf16"})


@functools.lru_cache(maxsize=1)
def bf16_units() -> frozenset[str]:
    """The bf16 units this CPU has ("amx_bf16", "avx512_bf16"), from /proc/cpuinfo; none where unread."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return frozenset()
    return frozenset(flags & UNITS)


def wants_bf16(variable: str) -> bool:
    """Whether to compute in bf16: $variable "1" or "0" decides; unset or anything else, whether the CPU has bf16
    units (on AVX512-BF16 without AMX, too: the verifier reads 2x the pairs a second there, bench/verify.py)."""
    flag = os.environ.get(variable, "auto").strip().lower()
    if flag in ("1", "0"):
        return flag == "1"
    return bool(bf16_units())
