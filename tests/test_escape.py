"""factcheck.escape: one escaper per output format (Markdown, CSV cell, terminal)."""
from __future__ import annotations

import json
import re

import pytest

from factcheck import escape


@pytest.mark.parametrize("text", ["\\<img src=x onerror=alert(1)\\>", "![i](javascript:x)", "&lt;b&gt;", "a\\|b",
                                  ":red[x] $x$ ==hi== ~~s~~ %%c%% @u"])
def test_markdown_escapes_every_special_character_after_escaping_the_backslash(text):
    out = escape.markdown(text)
    # every markdown character is preceded by an odd number of backslashes: none can start a construct
    for m in re.finditer(r"(\\*)([`*_{}\[\]()<>#+\-.!|~:$&=^%@])", out):
        assert len(m.group(1)) % 2 == 1, (out, m.group())
    assert re.sub(r"\\(.)", r"\1", out) == text  # unescaped, it is the text


def test_markdown_is_one_line_and_shows_control_characters():
    assert escape.markdown("a\nb\r\nc\u2028d") == "a b c d"
    assert escape.markdown("x\x1b[31my\x00") == "x\\\\u001b\\[31my\\\\u0000"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1"])
def test_csv_cell_neutralises_formula_starts(cell):
    assert escape.csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("value", ["Reuters", "a=b", "", "1 - 2", 0.66, -3, 0])
def test_csv_cell_leaves_other_text_and_numbers(value):
    assert escape.csv_cell(value) == value and type(escape.csv_cell(value)) is type(value)


def test_terminal_shows_what_a_terminal_would_obey():
    hostile = "t\x1b]0;x\x07\x1b[2J\x9b31m\x7f\b\r\u202e\u2066\u200f\ud8ff"
    shown = "t\\u001b]0;x\\u0007\\u001b[2J\\u009b31m\\u007f\\u0008{}\\u202e\\u2066\\u200f\\ud8ff"
    assert escape.terminal(hostile, keep_lines=True) == shown.format("\\u000d")
    assert escape.terminal(hostile) == shown.format(" ")  # one line: the carriage return is whitespace
    assert escape.terminal("été 😀 — ok") == "été 😀 — ok"  # printable text is untouched


def test_terminal_lines():
    assert escape.terminal("a\nforged\tline  x") == "a forged line x"
    assert escape.terminal("a\n\tb\x1b", keep_lines=True) == "a\n\tb\\u001b"


def test_terminal_keeps_json_exact():
    """A JSON text cleaned for a terminal decodes to the same data: the escapes are JSON's own."""
    data = {"s": "x\u202e\x9b\x7f\ud800 é", "n": -1.5}
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(escape.terminal(text, keep_lines=True)) == data


def test_markdown_leaves_quotes_and_apostrophes_as_typed():
    assert escape.markdown('She said "it\'s over"') == 'She said "it\'s over"'


def test_plotly_shortens_and_wraps():
    out = escape.plotly("word " * 200, width=20, limit=100)
    assert out.count("<br>") >= 4
    assert out.endswith("…")


def test_plotly_escapes_tags_but_shows_quotes_and_ampersands_as_typed():
    """Plotly renders label text as a small HTML subset and decodes &amp; &lt; &gt; and numeric entities, not
    &quot;: a quote must stay a quote, '<' and '&' must be escaped once (issue 16)."""
    assert escape.plotly('He said "no" & <b>left</b>') == 'He said "no" &amp; &lt;b&gt;left&lt;/b&gt;'
    assert escape.plotly("it's &lt; here") == "it's &amp;lt; here"  # shown as typed: "&lt;", not "<"
