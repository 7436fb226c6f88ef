"""Text handling: normalisation and tokenisation of colloquial shop Chinese for retrieval, and
buyers' text made safe to print (display.py)."""

from suggest.text.normalize import normalize
from suggest.text.tokenize import Tokenizer

__all__ = ["Tokenizer", "normalize"]
