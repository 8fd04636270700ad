from factcheck import precision


def test_the_variable_decides_when_set_and_the_cpu_when_not(monkeypatch):
    monkeypatch.setattr(precision, "bf16_units", lambda: frozenset({"avx512_bf16"}))
    monkeypatch.delenv("FACTCHECK_X_BF16", raising=False)
    assert precision.wants_bf16("FACTCHECK_X_BF16")
    for auto in ("auto", " AUTO ", "yes"):  # anything but 1 / 0 leaves it to the CPU
        monkeypatch.setenv("FACTCHECK_X_BF16", auto)
        assert precision.wants_bf16("FACTCHECK_X_BF16")
    monkeypatch.setenv("FACTCHECK_X_BF16", "0")
    assert not precision.wants_bf16("FACTCHECK_X_BF16")
    monkeypatch.setattr(precision, "bf16_units", lambda: frozenset())
    assert not precision.wants_bf16("FACTCHECK_X_BF16")
    monkeypatch.setenv("FACTCHECK_X_BF16", "1")
    assert precision.wants_bf16("FACTCHECK_X_BF16")  # forced, whatever the CPU has
    monkeypatch.delenv("FACTCHECK_X_BF16")
    assert not precision.wants_bf16("FACTCHECK_X_BF16")


def test_the_units_are_read_from_cpuinfo_and_none_where_unreadable(monkeypatch, tmp_path):
    precision.bf16_units.cache_clear()
    real = precision.Path
    fake = tmp_path / "cpuinfo"
    fake.write_text("flags\t\t: fpu sse avx512f avx512_bf16 amx_tile\nflags\t\t: fpu amx_bf16\n")
    monkeypatch.setattr(precision, "Path", lambda p: fake if p == "/proc/cpuinfo" else real(p))
    try:
        assert precision.bf16_units() == {"avx512_bf16", "amx_bf16"}
        precision.bf16_units.cache_clear()
        fake.unlink()
        assert precision.bf16_units() == frozenset()
    finally:
        precision.bf16_units.cache_clear()
