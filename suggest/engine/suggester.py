"""Suggest replies for one customer message.

    message ─ check ─ normalise/jieba ─┬─ dense (FAISS) ─┐
                                       └─ BM25 ──────────┴─ features ─ fusion ─ scope ─ fill ─ rule filter ─ top-k

Everything heavy (model, index, jieba) is loaded once, in `open`, never per request.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from suggest.config import Settings, require_platform
from suggest.embedding import Embedder, load_embedder
from suggest.engine.clauses import clauses
from suggest.engine.filters import PassThrough, ReplyFilter, knowledge_rulebook
from suggest.engine.message import check_message
from suggest.engine.results import (
    HAND_OVER_FLAG,
    OTHER_PRODUCT_FLAG,
    UNANSWERED_TOPIC_FLAG,
    Dropped,
    Source,
    Suggestion,
    SuggestResult,
)
from suggest.errors import IndexStoreError, ScopeError
from suggest.index import LoadedIndex, build_index, load_index
from suggest.index.views import knowledge_tokenizer
from suggest.knowledge import Entry, KnowledgeBase, fill, load_knowledge
from suggest.knowledge.product_names import ProductFinder
from suggest.ranking import Candidates, Fusion, gather_candidates, list_confidence, load_fusion, shortlist
from suggest.text import Tokenizer

log = logging.getLogger("suggest")


@dataclass
class Scored:
    entry: int
    probability: float


def open_embedder(settings: Settings) -> Embedder:
    """The configured model, with the settings' query cache and threads."""
    return load_embedder(settings.model, settings.cache_dir, query_cache=settings.query_cache,
                         threads=settings.model_threads, solo_threads=settings.model_solo_threads)


class Suggester:
    def __init__(
        self,
        kb: KnowledgeBase,
        index: LoadedIndex,
        embedder: Embedder,
        fusion: Fusion,
        reply_filter: ReplyFilter | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.kb = kb
        self.index = index
        self.embedder = embedder
        self.fusion = fusion
        self.filter: ReplyFilter = reply_filter or PassThrough()
        # Replies are the knowledge's own texts, filled from a few products and shops, so the
        # same few hundred are checked all day; the filter is a pure function of its arguments.
        self._checked = lru_cache(maxsize=4096)(self.filter.apply)
        self.settings = settings or Settings()
        self.tokenizer: Tokenizer = knowledge_tokenizer(kb)
        self.products = ProductFinder(kb.products, self.tokenizer)
        # On the shown list's summed probability; a line needs at least the floor (a threshold
        # of 0, "show everything", lowers the floor with it).
        self.threshold = self.settings.min_score if self.settings.min_score is not None else fusion.threshold
        self.item_floor = min(fusion.item_floor, self.threshold)
        self._scope_cache: dict[tuple[str, str | None, str | None], np.ndarray] = {}
        # Only entries limited to some platforms, shops or products need a look per scope.
        self._scoped = [i for i, e in enumerate(kb.entries) if e.platforms or e.shops or e.products]
        # In scope only while their product is discussed, so then they are written for it.
        self._for_product = np.array([bool(e.products) for e in kb.entries], dtype=bool)
        # The few answers written for an inbound topic: looked up per message, never searched for.
        self._on_topic = [i for i, e in enumerate(kb.entries) if e.topics]
        self._fallback_cache: dict[tuple[str, str | None], bool] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        rebuild: bool = True,
        progress: bool = False,
        reply_filter: ReplyFilter | None = None,
        knowledge: KnowledgeBase | None = None,
    ) -> Suggester:
        """Load knowledge, model and index; (re)build the index when missing or stale.
        `knowledge`: settings.knowledge_dir as already loaded (and checked) by the caller."""
        kb = knowledge if knowledge is not None else load_knowledge(settings.knowledge_dir)
        if reply_filter is None:
            reply_filter = default_filter(kb)
        embedder = embedder or open_embedder(settings)
        try:
            index = load_index(settings.index_dir, embedder.name, kb.digest, embedder.revision)
        except IndexStoreError as exc:
            if not rebuild:
                raise
            if progress:
                print(f"suggest: {exc.problem}; building it now", file=sys.stderr)
            index = build_index(kb, embedder, settings.index_dir, progress=progress)
        fusion = load_fusion(embedder.name)
        if fusion.model != embedder.name:
            log.warning("no fusion is fitted for the model %s: ranking with the one fitted for %s, so scores "
                        "and the threshold are a guess; fit it with scripts/calibrate.py --model %s "
                        "(README.md, on --model)", embedder.name, fusion.model, embedder.name)
        suggester = cls(kb, index, embedder, fusion, reply_filter, settings)
        suggester.warm_up()
        return suggester

    def warm_up(self) -> None:
        """Load what loads lazily (jieba's dictionary, the model's first run) now, so the first
        buyer does not wait for it: it cost the first request about a second."""
        analysis = self.tokenizer.analyze("亲 在吗")
        self.embedder.encode_queries([analysis.canonical])

    # ------------------------------------------------------------------ the request
    def suggest(
        self,
        message: str,
        platform: str | None = None,
        shop: str | None = None,
        product: str | None = None,
        limit: int | None = None,
        history: Sequence[str] = (),
    ) -> SuggestResult:
        """`history`: the earlier customer messages of the conversation, oldest first; the last
        product named there is the one being discussed when neither the caller nor the message says."""
        platform = self.platform_of(platform)
        shop = self.shop_of(shop, platform)
        self.require_product(product, shop)
        message = check_message(message, self.settings.max_message_chars)
        limit = limit or self.settings.limit
        inbound = self.filter.analyze_inbound(message, platform, shop)
        named = self.products.find(message, shop)
        flags = list(inbound.reasons)
        if product is not None and named is not None and named != product:
            # The caller's product (the card the buyer opened) is kept, but the buyer asks about
            # another one by name: the replies carry the caller's product's facts, so say so.
            flags.append(f"{OTHER_PRODUCT_FLAG}{named}")
        product = product or named or self._product_from(history, shop)
        result = SuggestResult(
            message=message,
            suggestions=[],
            platform=platform,
            shop=shop,
            product=product,
            needs_human=inbound.needs_human,
            flags=flags,
        )
        scope = self._scope(platform, shop, product)
        for topic in sorted(inbound.topics - self._answered_topics(scope) if inbound.topics else ()):
            result.flags.append(f"{UNANSWERED_TOPIC_FLAG}{topic}")
            result.needs_human = True
        asked = self.filter.without_own_links(message, platform)
        analysis = self.tokenizer.analyze(asked)
        if not analysis.canonical:  # nothing but emoji, punctuation or particles
            return result
        entries, probabilities = self._topics_first(*self._ranked(analysis.canonical, analysis.terms, platform, shop, product),
                                                    inbound.topics, scope)
        if len(entries):
            first = self.kb.entries[int(entries[0])]
            result.best = Source(first.kind, first.id)
            result.best_score = float(probabilities[0])
            entries, probabilities, lead = self._each_question(asked, entries, probabilities, platform, shop, product)
            result.questions = max(1, len(lead))
        else:
            lead = []
        shown, flags = self._shortlist(entries.tolist(), probabilities.tolist(), platform, shop, product, limit, result)
        # The list as a whole must clear the threshold (see suggest/ranking/fusion.py); the rule
        # filter's verdicts on replies nobody will see do not flag the conversation.
        if shown and list_confidence([s.score for s in shown]) >= self.threshold:
            result.suggestions = shown
            # As the off-hours auto-reply reads it: a lost parcel or a wrong item is a person's to
            # answer, also when it is the second question of a message ("能开发票吗？另外我的快递怎么三天没动了").
            firsts = [shown[0].source.id] if shown[0].source.kind == "template" else []
            firsts += [self.kb.entries[e].id for e in lead if self.kb.entries[e].kind == "template"]
            for entry_id in dict.fromkeys(firsts):
                if self.kb.entry(entry_id).auto_reply == "hand-over":
                    flags.append(f"{HAND_OVER_FLAG}{entry_id}")
            result.needs_human = result.needs_human or bool(flags)
            result.flags.extend(f for f in flags if f not in result.flags)
        return result

    def _each_question(
        self, message: str, entries: np.ndarray, probabilities: np.ndarray, platform: str, shop: str, product: str | None
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """For a message asking several things (suggest/engine/clauses.py), each part's best
        answer joins the whole message's best at the head of the list, most probable first (an
        agent clicks the first line), each with its own probability. Also the head's entries,
        one per question answered ([] for a message asking one thing)."""
        parts = clauses(message)
        if not parts:
            return entries, probabilities, []
        head: dict[int, float] = {int(entries[0]): float(probabilities[0])}
        for part in parts:
            analysis = self.tokenizer.analyze(part)
            if not analysis.canonical:
                continue
            ranked, chances = self._ranked(analysis.canonical, analysis.terms, platform, shop, product)
            if len(ranked) and chances[0] >= self.item_floor and int(ranked[0]) not in head:
                head[int(ranked[0])] = float(chances[0])
        if len(head) == 1:
            return entries, probabilities, []
        lead = sorted(head, key=lambda e: -head[e])
        rest = [i for i, e in enumerate(entries.tolist()) if e not in head]
        ordered_entries = np.array([*lead, *entries[rest].tolist()], dtype=entries.dtype)
        ordered_probabilities = np.array([*(head[e] for e in lead), *probabilities[rest].tolist()], dtype=probabilities.dtype)
        return ordered_entries, ordered_probabilities, lead

    def _shortlist(
        self,
        entries: list[int],
        probabilities: list[float],
        platform: str,
        shop: str,
        product: str | None,
        limit: int,
        result: SuggestResult,
    ) -> tuple[list[Suggestion], list[str]]:
        """The best candidates that render and pass the rule filter, at most `limit`, each with at
        least the item floor; and the flags their filtering raised. Refused replies go to
        `result.dropped`, for debugging."""
        shown: list[Suggestion] = []
        flags: list[str] = []
        # Even the best `limit` lines together would not clear the threshold: nothing to render.
        best = probabilities[: shortlist(probabilities, limit, self.item_floor)]
        if not best or list_confidence(best) < self.threshold:
            return shown, flags
        seen_texts: set[str] = set()
        # A reply the rules refuse is no option at all: the others' probabilities are taken
        # given that it is not the answer (the listwise softmax without it), so a merchant's FAQ
        # row offering 返现 (0.73) does not keep the template that refuses it (0.26) under the
        # threshold. Only refusals move this; an answer shown twice is still an answer.
        refused = 0.0
        for position, raw in zip(entries, probabilities, strict=True):
            # (capped: a topic template lifted to the head's probability is outside the softmax)
            probability = min(1.0, raw / (1.0 - refused)) if refused else raw
            if probability < self.item_floor or len(shown) >= limit:
                break
            entry = self.kb.entries[position]
            text = self.render(entry, shop, product)
            if text is None or text in seen_texts:
                continue
            outcome = self._checked(text, platform, shop)
            source = Source(entry.kind, entry.id)
            rules = tuple(dict.fromkeys(v.rule for v in outcome.violations))  # a rule hit twice is named once
            if outcome.text is None:
                result.dropped.append(Dropped(source, text, rules))
                refused = min(refused + raw, 1.0 - 1e-6)
                continue
            if outcome.needs_human:
                flags.extend(f"reply:{rule}" for rule in rules if f"reply:{rule}" not in flags)
            seen_texts.add(outcome.text)
            shown.append(Suggestion(outcome.text, probability, source))
        return shown, flags

    def message_candidates(self, message: str, platform: str | None = None, shop: str | None = None) -> Candidates | None:
        """The candidates for one bare message, as evaluation and calibration see it: no shop
        unless given (answers limited to some shops are then out), the product only if the
        message names it, the default platform if none is given (None or "", as a query file's
        empty cell reads). None when nothing in the message can be matched."""
        return self._bare(message, platform, shop)[0]

    def rank_message(
        self, message: str, platform: str | None = None, shop: str | None = None, product: str | None = None
    ) -> list[Scored]:
        """Every candidate answer for a bare message (see message_candidates) with its calibrated
        probability, best first, in the order an agent is shown them: the template for an
        inbound topic first (see _topics_first). `product`, when given, is the one discussed (as
        `suggest`'s caller gives it) whatever the message names."""
        candidates, scope, product = self._bare(message, platform, shop, product)
        if candidates is None:
            return []
        topics = self.filter.analyze_inbound(message, scope, shop).topics
        entries, probabilities = self._topics_first(*self._ordered(candidates), topics, self._scope(scope, shop, product))
        return [Scored(e, p) for e, p in zip(entries.tolist(), probabilities.tolist(), strict=True)]

    def _bare(
        self, message: str, platform: str | None, shop: str | None, product: str | None = None
    ) -> tuple[Candidates | None, str, str | None]:
        """message_candidates, with the platform and the product it used."""
        scope = self.platform_of(platform or None)
        analysis = self.tokenizer.analyze(self.filter.without_own_links(message, scope))
        if not analysis.canonical:
            return None, scope, product
        product = product or self.products.find(message, shop)
        return self.candidates(analysis.canonical, analysis.terms, scope, shop, product), scope, product

    def _ranked(
        self, canonical: str, terms: tuple[str, ...], platform: str, shop: str | None, product: str | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Entry positions and probabilities of every candidate in scope, best first."""
        return self._ordered(self.candidates(canonical, terms, platform, shop, product))

    def _ordered(self, candidates: Candidates) -> tuple[np.ndarray, np.ndarray]:
        probabilities = self.fusion.probability(candidates.features)
        order = np.argsort(-probabilities, kind="stable")
        return candidates.entries[order], probabilities[order]

    def _product_from(self, history: Sequence[str], shop: str) -> str | None:
        for earlier in reversed(history):
            found = self.products.find(earlier, shop)
            if found:
                return found
        return None

    def _answered_topics(self, scope: np.ndarray) -> frozenset[str]:
        """The inbound topics some template in `scope` is written for."""
        return frozenset().union(*(self.kb.entries[i].topics for i in self._on_topic if scope[i]))

    def _topics_first(
        self, entries: np.ndarray, probabilities: np.ndarray, topics: frozenset[str], scope: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """When the buyer asks for something a platform forbids (WeChat, another account's order,
        paying outside) or takes a request back, the template written for exactly that answers
        first, whatever the similarity says: the other candidates are where a non-compliant (or
        a contrary) reply would come from. The inbound rules matched words, not a likeness, so it
        is shown even when retrieval missed it or scored it under the threshold ("你电话多少" on
        pdd got nothing at all)."""
        if not topics:
            return entries, probabilities
        listed = set(entries.tolist())
        missing = [i for i in self._on_topic if self.kb.entries[i].topics & topics and scope[i] and i not in listed]
        if missing:
            entries = np.concatenate([entries, np.array(missing, dtype=entries.dtype)])
            probabilities = np.concatenate([probabilities, np.zeros(len(missing), dtype=probabilities.dtype)])
        on_topic = np.array([bool(self.kb.entries[e].topics & topics) for e in entries.tolist()], dtype=bool)
        if not on_topic.any():
            return entries, probabilities
        floor = max(float(probabilities[0]) if len(probabilities) else 0.0, self.threshold)
        # In float64: the fusion's float32 cannot hold the threshold, and a template lifted to
        # its float32 rounding (0.48469999 for 0.4847) fell just under it and was never shown.
        lifted = np.where(on_topic, np.maximum(probabilities.astype(np.float64), floor), probabilities)
        order = np.concatenate([np.flatnonzero(on_topic), np.flatnonzero(~on_topic)])
        return entries[order], lifted[order]

    def candidates(
        self, canonical: str, terms: tuple[str, ...], platform: str, shop: str | None, product: str | None
    ) -> Candidates:
        vector = self.embedder.encode_queries([canonical])[0]
        for_product = self._for_product if product is not None else None
        return gather_candidates(self.index, vector, terms, self._scope(platform, shop, product), for_product=for_product)

    def render(self, entry: Entry, shop: str | None, product: str | None) -> str | None:
        """The reply as sent: the answer filled from the product's and the shop's facts; the
        template's fallback when the answer cannot be filled and no product is discussed; else
        None (not suggested)."""
        if entry.kind == "faq":
            return entry.answer
        layers = self._facts(shop, product)
        text = fill(entry.answer, *layers)
        if text is None and self._falls_back(entry, shop, product):
            text = fill(entry.fallback, *layers)
        return text

    def renders_fallback(self, entry: Entry, shop: str | None, product: str | None) -> bool:
        """Whether `render` gives the template's fallback: a fact its answer needs is missing
        while no product is discussed (and some product of the shop has it)."""
        return self._falls_back(entry, shop, product) and fill(entry.answer, *self._facts(shop, product)) is None

    def _falls_back(self, entry: Entry, shop: str | None, product: str | None) -> bool:
        # A fallback asks which item the buyer means ("请问您问的是哪一款呢？"). With the item
        # known and lacking the fact (a merchant's new product without `care`), that question
        # cannot be sent as it is: the template is then not suggested, and `suggest build` lists
        # the missing facts. Nor when no item of the shop has the fact: a cosmetics shop that
        # copied the bundled templates got the care template's "洗水标…冷水手洗" for 怎么洗.
        if entry.kind == "faq" or not entry.fallback or product is not None:
            return False
        key = (entry.id, shop)
        answerable = self._fallback_cache.get(key)
        if answerable is None:
            shop_facts = self._facts(shop, None)[-1]
            answerable = any(
                fill(entry.answer, item.facts, shop_facts) is not None
                for item in self.kb.products.values()
                if item.sold_by(shop) and (not entry.products or item.id in entry.products)
            )
            self._fallback_cache[key] = answerable
        return answerable

    def _facts(self, shop: str | None, product: str | None) -> list[Mapping[str, str]]:
        layers = []
        if product is not None:
            layers.append(self.kb.products[product].facts)
        layers.append(self.kb.shops[shop].facts if shop in self.kb.shops else self.kb.default_shop.facts)
        return layers

    # ------------------------------------------------------------------ scope
    def _scope(self, platform: str, shop: str | None, product: str | None) -> np.ndarray:
        key = (platform, shop, product)
        mask = self._scope_cache.get(key)
        if mask is None:
            mask = np.ones(len(self.kb.entries), dtype=bool)
            entries = self.kb.entries
            for i in self._scoped:
                mask[i] = entries[i].in_scope(platform, shop, product)
            self._scope_cache[key] = mask
        return mask

    def platform_of(self, platform: str | None) -> str:
        """The platform asked for (any case), else the configured default; ScopeError if unknown."""
        return require_platform((self.settings.default_platform if platform is None else platform).strip().lower())

    def require_shop(self, shop: str) -> None:
        """ScopeError unless `shop` is one of the knowledge's shops (ids are case-sensitive)."""
        if shop not in self.kb.shops:
            raise ScopeError(f"unknown shop {shop!r}; known shops: {', '.join(self.kb.shops)}")

    def shop_of(self, shop: str | None, platform: str) -> str:
        """The shop asked for, else the first shop (in the order the knowledge lists them) that
        sells on `platform`; either must sell there (its templates were checked against the
        rules of its own platforms only). Without the platform in the choice, adding a second
        shop that sells elsewhere made every request that names no shop fail."""
        if shop is None:
            selling = [s for s in self.kb.shops.values() if platform in s.platforms]
            if not selling:  # no shop was named: say so, rather than blame the first one
                sells = "; ".join(f"{s.id} sells on {', '.join(s.platforms)}" for s in self.kb.shops.values())
                hint = ""
                if platform == self.settings.default_platform.strip().lower():
                    # A JD-and-Taobao merchant's requests without a platform fell on tmall.
                    hint = f"; {platform} is the default platform: send the platform, or set SUGGEST_DEFAULT_PLATFORM"
                raise ScopeError(f"no shop sells on {platform} ({sells or 'no shops'}){hint}")
            shop = selling[0].id
        self.require_shop(shop)
        if platform not in self.kb.shops[shop].platforms:
            raise ScopeError(f"shop {shop!r} does not sell on {platform} (it sells on {', '.join(self.kb.shops[shop].platforms)})")
        return shop

    def require_product(self, product: str | None, shop: str | None = None) -> None:
        """ScopeError unless `product` is None or one of the knowledge's products, sold by `shop`
        when given: another shop's product would fill the replies with facts this shop never promised."""
        if product is None:
            return
        if product not in self.kb.products:
            known = ", ".join(self.kb.products) or "none"
            raise ScopeError(f"unknown product {product!r}; known products: {known}")
        sold = self.kb.products[product]
        if not sold.sold_by(shop):
            raise ScopeError(f"product {product!r} is not sold by shop {shop!r} (it is sold by {', '.join(sorted(sold.shops))})")


def default_filter(kb: KnowledgeBase) -> ReplyFilter:
    """The compliance rule book of this knowledge base; its templates must pass it."""
    return knowledge_rulebook(kb)


__all__ = ["Suggester"]
