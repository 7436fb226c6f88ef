"""jieba with the shop's vocabulary, synonyms and stop-words.

One `Tokenizer` per knowledge base: product names and aliases join the dictionary so that
"羽绒服" or a product's nickname stays one token. jieba's own dictionary loads on first use, not
at import, so `import suggest` stays fast.

The names of the knowledge base's own products are masked (replaced by 它, "it") before
matching. Which product a message is about is settled apart from what it asks (ProductFinder,
then the product scope and the facts filled into the reply); left in, the product noun dominates
the sentence vector, so that "卫衣啥价" lands nearer to "卫衣闻着有股化学味" than to "多少钱". On
the dev set this took plain dense top-1 from 0.68 to 0.74. The mask was 宝贝 (buyers' word for
the item) until session 17: a word of its own weight, it pulled "跑鞋42码有吗" (宝贝42码有吗)
to the wrong-item complaint "要的42码宝贝 给我发了41"; 它 is a stop word, so the lexical side
ignores it, and light in the sentence vector.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from suggest.text.normalize import normalize
from suggest.text.personal_data import without_personal_data

PRODUCT_PLACEHOLDER = "它"


@dataclass(frozen=True)
class Analysis:
    normalized: str
    # The normalised text with abbreviations and spelling variants written out ("sf能发吗" →
    # "顺丰能发吗"), for the embedding model, which has rarely seen the shop shorthand.
    canonical: str
    # Tokens for lexical matching: canonical forms, stop-words removed.
    terms: tuple[str, ...]


def _data_lines(name: str) -> list[str]:
    text = resources.files("suggest.text").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def pinyin_spelling() -> tuple[re.Pattern[str], dict[str, str]]:
    """Whole ASCII runs that are pinyin for a shop word ("tuikuan", the "kuan" of "退kuan"), and
    their characters: rewritten before the text is cut, so jieba, the lexical side and the model
    all read 退款, as they read a traditional character simplified."""
    table = dict(line.split("\t") for line in _data_lines("pinyin.tsv"))
    words = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])"), table


def respell_pinyin(normalized: str) -> str:
    if not any("a" <= c <= "z" for c in normalized):
        return normalized  # the usual message: no Latin letters at all
    pattern, table = pinyin_spelling()
    return pattern.sub(lambda m: table[m.group(1)], normalized)


@lru_cache(maxsize=1)
def typo_spelling() -> tuple[re.Pattern[str], dict[str, str]]:
    """Wrong characters typed for a shop word (发漂 for 发票) and their right ones (typos.tsv)."""
    table = dict(line.split("\t") for line in _data_lines("typos.tsv"))
    words = sorted(table, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), table


def respell_typos(normalized: str) -> str:
    pattern, table = typo_spelling()
    return pattern.sub(lambda m: table[m.group(0)], normalized)


@lru_cache(maxsize=1)
def _synonym_rows() -> tuple[tuple[str, ...], ...]:
    """synonyms.tsv, read once: (variant, canonical[, "lexical"]) per line, the variant folded."""
    rows = (line.split("\t") for line in _data_lines("synonyms.tsv"))
    return tuple((row[0].strip().lower(), *(cell.strip() for cell in row[1:])) for row in rows)


@lru_cache(maxsize=1)
def default_synonyms() -> dict[str, str]:
    return {row[0]: row[1] for row in _synonym_rows()}


@lru_cache(maxsize=1)
def lexical_only_synonyms() -> frozenset[str]:
    """Variants whose synonym the model is not given (the third column of synonyms.tsv)."""
    return frozenset(row[0] for row in _synonym_rows() if len(row) > 2 and row[2] == "lexical")


@lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    return frozenset(_data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def item_nouns() -> frozenset[str]:
    """Words naming a kind of item (外套, 裙, 鞋 …), folded."""
    return frozenset(w.lower() for w in _data_lines("item_nouns.txt"))


@lru_cache(maxsize=1)
def _domain_words() -> tuple[tuple[str, int], ...]:
    words = []
    for line in _data_lines("domain_words.txt"):
        word, _, freq = line.partition(" ")
        words.append((word, int(freq or 10000)))
    return tuple(words)


@lru_cache(maxsize=1)
def _base_segmenter():  # type: ignore[no-untyped-def]
    """jieba with its own dictionary and the shop vocabulary, loaded once per process."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    seg = jieba.Tokenizer()
    seg.initialize()
    for word, freq in _domain_words():
        seg.add_word(word, freq)
    return seg


def _segmenter_with(extra: tuple[str, ...], synonyms: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A segmenter with a knowledge base's own words, sharing nothing mutable with the base.

    Loading jieba's dictionary takes most of a second; copying its frequency table takes a few
    milliseconds, which keeps a knowledge reload cheap.
    """
    import jieba

    base = _base_segmenter()
    seg = jieba.Tokenizer()
    with base.lock:
        seg.FREQ = dict(base.FREQ)
        seg.total = base.total
    seg.initialized = True
    for word in (*extra, *synonyms):
        seg.add_word(word.lower(), 20000)
    return seg


def _mask_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation, longest name first; an ASCII name only as a whole word ("tee", not
    the middle of "guarantee")."""
    folded = sorted({n for n in (normalize(name) for name in names) if len(n) >= 2}, key=lambda n: (-len(n), n))
    if not folded:
        return None
    parts = [rf"(?<![a-z0-9]){re.escape(n)}(?![a-z0-9])" if n.isascii() else re.escape(n) for n in folded]
    return re.compile("|".join(parts))


class Tokenizer:
    def __init__(
        self,
        extra_words: Iterable[str] = (),
        synonyms: dict[str, str] | None = None,
        masked_names: Iterable[str] = (),
    ) -> None:
        """`masked_names`: product names and aliases replaced by PRODUCT_PLACEHOLDER (see above)."""
        self._extra = tuple(sorted({w for w in extra_words if w}))
        self._mask = _mask_pattern(masked_names)
        self.synonyms = dict(default_synonyms())
        if synonyms:
            self.synonyms.update({k.lower(): v for k, v in synonyms.items()})
        self.stopwords = default_stopwords()
        self._jieba = None
        self._lock = threading.Lock()

    def _segmenter(self):  # type: ignore[no-untyped-def]
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    self._jieba = _segmenter_with(self._extra, tuple(w for w in self.synonyms if len(w) > 1))
        return self._jieba

    def words_at(self, text: str) -> dict[int, str]:
        """jieba's words of `text` by the offset each starts at, and "" at the end of the text
        (so the keys are every offset where a word starts or ends)."""
        words, at = {}, 0
        for piece in self._segmenter().lcut(text, HMM=False):
            words[at] = piece
            at += len(piece)
        words[at] = ""
        return words

    def words(self, normalized: str) -> list[str]:
        """jieba words of already normalised text, spaces dropped."""
        return [w for w in self._segmenter().lcut(normalized, HMM=False) if w.strip()]

    def analyze(self, text: str) -> Analysis:
        normalized = respell_typos(respell_pinyin(normalize(without_personal_data(text))))
        if self._mask is not None:
            normalized = self._mask.sub(PRODUCT_PLACEHOLDER, normalized)
        words = self.words(normalized)
        canonical_words = [self.synonyms.get(w, w) for w in words]
        terms = tuple(w for w in canonical_words if w not in self.stopwords)
        # Only variants are rewritten for the model: rewriting 码 → 尺码 or 发 → 发货 would make
        # sentences it reads worse, while lexical matching wants every canonical form.
        spelled = [c if _is_variant(w, c) else w for w, c in zip(words, canonical_words, strict=True)]
        return Analysis(normalized=normalized, canonical="".join(_join(spelled)), terms=terms)


def _is_variant(word: str, canonical: str) -> bool:
    return word != canonical and (word.isascii() or len(word) == len(canonical)) and word not in lexical_only_synonyms()


def _join(words: list[str]) -> list[str]:
    # Keep a space between two ASCII words ("xl 码" must not become "xl码" for the model).
    out: list[str] = []
    for word in words:
        if out and out[-1][-1:].isascii() and word[:1].isascii():
            out.append(" ")
        out.append(word)
    return out
