"""The text of a compliance check is refused exactly when a customer message would be (both
go through suggest.text.checked), and `suggest check` can do it without loading the engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from suggest.compliance import check_text
from suggest.config import MAX_TEXT_CHARS
from suggest.engine.message import check_message
from suggest.errors import InputError

SAMPLES = [
    "亲，可以的",
    "",
    "   ",
    " \t\n\u3000 ",
    "\u0000\u0001\u0002",
    "\u0000\u0001",
    "亲\u0000\u0001\u0002",
    "亲，在的呢\u0000\u0001\u0002",
    "\ufffd\ufffd\ufffd",
    "好" * 12 + "\ufffd\ufffd\ufffd",
    "好" * 12 + "\ufffd\ufffd\ufffd\ufffd",
    "第一行\n第二行\t\r",
    "👍",
    "a" * MAX_TEXT_CHARS,
    "a" * (MAX_TEXT_CHARS + 1),
]


def refused(check, text: str) -> bool:
    try:
        check(text, MAX_TEXT_CHARS)
    except InputError:
        return True
    return False


@pytest.mark.parametrize("text", SAMPLES, ids=range(len(SAMPLES)))
def test_a_check_refuses_what_a_message_check_refuses(text: str):
    assert refused(check_text, text) == refused(check_message, text)


def test_the_refusal_says_what_is_wrong():
    for text, problem in [("", "empty"), ("\u0000\u0001\u0002", "binary"), ("a" * 10_001, "the limit is 10000")]:
        with pytest.raises(InputError, match=problem):
            check_text(text)
    assert check_text("亲，可以的") == "亲，可以的"


def test_checking_a_reply_text_does_not_load_the_engine():
    code = ("import sys; from suggest.compliance import check_text; check_text('亲，可以的'); "
            "print(any(m == 'suggest.engine' or m.startswith('suggest.engine.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
