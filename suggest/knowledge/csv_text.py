"""The text of a merchant's CSV file, and what to do when it is not UTF-8.

UTF-8 is the documented format and stays the only one read: guessing an encoding would import
a mis-guessed file as mojibake that is then suggested to buyers. But the files that are not UTF-8
are nearly always one of two things Excel or WPS wrote on a Chinese Windows, so the error says
which and how to save or convert it: "CSV (逗号分隔)" is GBK / GB18030, "Unicode 文本" is UTF-16.
A YAML file gets the same advice for a text editor (not_utf8_text): Notepad's "ANSI" is GBK too.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from suggest.errors import KnowledgeError

NOT_UTF8 = "not valid UTF-8 text"
SAVE_AS = "in Excel or WPS save it as 'CSV UTF-8 (逗号分隔)'"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# How much of a file is enough to tell UTF-16 by its NULs (ASCII text has one in every pair).
_SAMPLE = 4096


def read_csv_text(path: Path) -> str:
    """The text of `path` (UTF-8, a byte-order mark allowed), or a KnowledgeError with its line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    if problem := _utf16(raw, path.name):
        raise KnowledgeError(path, 1, f"{NOT_UTF8}: {problem}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KnowledgeError(path, line, NOT_UTF8 + _not_utf8(raw, exc.start, path.name)) from exc


def _utf16(raw: bytes, name: str) -> str | None:
    """What to say about a UTF-16 file (by its byte-order mark, or the NULs of its ASCII), or None."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        sample = raw[: _SAMPLE - _SAMPLE % 2]
        pairs = len(sample) // 2
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        # At least a header's worth of NULs, nearly all on one side (binary data has them anywhere).
        if odd >= max(8, pairs // 5) and even * 10 <= odd:
            encoding = "utf-16-le"
        elif even >= max(8, pairs // 5) and odd * 10 <= even:
            encoding = "utf-16-be"
        else:
            return None
    try:
        first_line = raw.decode(encoding).lstrip("\ufeff").split("\n", 1)[0]
    except UnicodeDecodeError:
        first_line = ""
    if "\t" in first_line and "," not in first_line:
        # Excel's "Unicode 文本 (*.txt)": converting the encoding alone would leave tabs, not commas.
        return f"it is UTF-16 with tab-separated cells (Excel's 'Unicode 文本'); {SAVE_AS}"
    return f"it is UTF-16 (Excel's 'Unicode 文本'); {SAVE_AS}, or convert it: {_iconv('UTF-16', name)}"


# The same advice for a YAML file, which a text editor wrote: Notepad on a Chinese Windows saves "ANSI", GBK.
TEXT_SAVE_AS = "save it as UTF-8 in the editor (记事本: 另存为, 编码 UTF-8)"
TEXT_WRITER = "what a text editor on a Chinese Windows saves as 'ANSI'"


def _not_utf8(raw: bytes, bad: int, name: str, save_as: str = SAVE_AS,
              writer: str = "what Excel or WPS saves as 'CSV (逗号分隔)'") -> str:
    """The advice after "not valid UTF-8 text" for a file whose first invalid byte is at `bad`."""
    gbk_chars = _cjk_in_gb18030(raw)
    # A GBK file reads as UTF-8 Chinese by accident for about 1 character in 100; more than that
    # is Chinese that *is* UTF-8, and converting the whole file would garble it.
    utf8_chars = len(_CJK.findall(raw.decode("utf-8", errors="replace")))
    if gbk_chars is not None and utf8_chars * 10 < gbk_chars:
        return (f": it looks like GBK/GB18030 ({writer}); {save_as}"
                f" instead, or convert it: {_iconv('GB18030', name)}")
    start = raw.rfind(b"\n", 0, bad) + 1
    end = raw.find(b"\n", bad)
    if utf8_chars and _cjk_in_gb18030(raw[start : end if end >= 0 else len(raw)]) is not None:
        # A line pasted from a GBK file into a UTF-8 one: only this line needs fixing.
        return (": this line looks like GBK/GB18030 while the file has UTF-8 Chinese too (text pasted from"
                " another file?); retype it, or copy it from a UTF-8 file")
    return f" (knowledge files are UTF-8: {save_as})"


def not_utf8_text(raw: bytes, bad: int, name: str) -> str:
    """The same advice for a knowledge file a text editor wrote (YAML)."""
    return _not_utf8(raw, bad, name, TEXT_SAVE_AS, TEXT_WRITER)


def _cjk_in_gb18030(raw: bytes) -> int | None:
    """How many Chinese characters `raw` holds read as GB18030, or None if it is not Chinese GB18030.

    Nearly any bytes decode as GB18030, so it must also read as Chinese: mostly characters of
    GB2312, the 6,763 common ones, where Latin-1 or Big5 bytes read as GBK mostly fall outside."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    chars = _CJK.findall(text)
    if not chars:
        return None
    common = sum(1 for c in chars if _in_gb2312(c))
    return len(chars) if common * 10 >= len(chars) * 8 else None


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _iconv(encoding: str, name: str) -> str:
    # iconv cannot write its input in place, and a converted copy left as a second *.csv beside the
    # original would be read too, so the command replaces the file.
    quoted, converted = shlex.quote(name), shlex.quote(f"{name}.utf8")
    return f"iconv -f {encoding} -t UTF-8 {quoted} > {converted} && mv {converted} {quoted}"
