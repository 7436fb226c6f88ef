"""The suggestion engine: a message in, a short ranked list of sendable replies out."""

from suggest.engine.results import Dropped, Source, Suggestion, SuggestResult
from suggest.engine.suggester import Suggester

__all__ = ["Dropped", "Source", "SuggestResult", "Suggester", "Suggestion"]
