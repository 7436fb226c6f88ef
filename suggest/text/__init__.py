"""Text handling for retrieval: normalisation and tokenisation of colloquial shop Chinese."""

from suggest.text.normalize import normalize
from suggest.text.tokenize import Tokenizer

__all__ = ["Tokenizer", "normalize"]
