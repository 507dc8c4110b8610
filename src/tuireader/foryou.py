"""The "For you" view: the recommender kept in step with the store's event log.

Signals are the store's events, so what the CLI records counts exactly like the same
action in the app. The learned model is persisted in the store with the id of the last event
it folded in; a new process restores it and folds only the events since, so opening For you
on a library with 50,000 signals does not replay them. Each analysed article's vector is
persisted too, so ranking 5,000 candidates reads bytes instead of re-analysing text.

The persisted model is trusted only while the log agrees with it: same format version, and
as many events at or below its last event as it folded. Anything else (a newer tuireader's
state, an event deleted behind its back) rebuilds it from the log.

Old events are compacted (:meth:`ForYou.compact`): once folded into the persisted model,
an article's old signals collapse to the ones still in effect, and signals on deleted
articles go, so the log grows with the articles kept, not with every keypress.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from tuireader.models import ArticleSummary
from tuireader.recommend import ArticleFeatures, Recommender, SignalKind
from tuireader.recommend.model import CANCELS, STRENGTH
from tuireader.recommend.recommender import STATE_VERSION, Diversity
from tuireader.recommend.vectors import (
    VECTOR_VERSION,
    ArticleVector,
    decode_vector,
    encode_vector,
    vectorize,
)
from tuireader.store import RecommendState, Store
from tuireader.store.recommend_state import CompactableEvent

#: How many of the newest unread articles are ranked; older ones are rarely wanted.
CANDIDATE_LIMIT = 5_000
#: The persisted model is rewritten once this many events were folded since it was saved.
SAVE_AFTER_EVENTS = 200
#: Events younger than this are never compacted (recent history and undo stay exact).
COMPACT_AFTER = timedelta(days=30)
#: Saving the model also compacts once the log has this many more events than twice the
#: articles they are about (so the file does not grow with every keypress between cleanups).
COMPACT_SLACK = 1_000
#: Signals compacted: everything the model learns from except "less like this" (its event
#: keeps the article out of For you and is what undo takes back) and feed mutes.
_MODEL_KINDS = frozenset(STRENGTH.keys() | CANCELS.keys())
COMPACTED_KINDS = (_MODEL_KINDS - {"less_like", "undo_less_like"}) | {"mark_unread"}
_SIGNAL_KINDS = frozenset(kind.value for kind in SignalKind)
_CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class ForYouItem:
    article: ArticleSummary
    score: float
    why: str
    duplicates: tuple[int, ...] = ()


class ForYou:
    """Ranks unread articles for one store. Thread-safe; call it from a worker thread."""

    def __init__(
        self,
        store: Store,
        *,
        candidate_limit: int = CANDIDATE_LIMIT,
        diversity: Diversity = "cap",
    ) -> None:
        self.store = store
        self.candidate_limit = candidate_limit
        self.diversity: Diversity = diversity
        self._recommender: Recommender | None = None
        self._last_event = 0
        self._folded = 0
        self._unsaved = 0
        self._compacted = False
        #: The last ranking's candidate vectors: the next ranking mostly re-uses them.
        self._vectors: dict[int, ArticleVector] = {}
        self._lock = threading.RLock()

    # --- the model -------------------------------------------------------------------

    def _model(self) -> Recommender:
        """The recommender, restored from the store or rebuilt from the log on first use."""
        if self._recommender is None:
            self._recommender = self._restore() or self._rebuild()
            self._recommender.diversity = self.diversity
        return self._recommender

    def _restore(self) -> Recommender | None:
        state = self.store.load_recommend_state()
        if state is None or state.version != STATE_VERSION:
            return None
        if self.store.count_events_through(state.last_event) != state.folded_events:
            return None
        try:
            recommender = Recommender.from_state(state.data)
        except ValueError:
            return None
        self._last_event, self._folded, self._unsaved = state.last_event, state.folded_events, 0
        return recommender

    def _rebuild(self) -> Recommender:
        self._last_event = self._folded = 0
        self._unsaved = SAVE_AFTER_EVENTS  # save whatever the replay learns
        return Recommender()

    def sync(self) -> None:
        """Learn from the events recorded since the last call (by anyone, any process)."""
        with self._lock:
            recommender = self._model()
            events = self.store.signal_events(since_id=self._last_event)
            for start in range(0, len(events), _CHUNK):
                self._fold(recommender, events[start : start + _CHUNK])
            if events:
                self._last_event = events[-1].id
                self._folded += len(events)
                self._unsaved += len(events)
            if self._unsaved >= SAVE_AFTER_EVENTS:
                self._save()
                if not self._compacted and self._folded > _redundant_log(recommender):
                    self._compacted = True  # at most once per instance: it reads the log
                    self._compact_folded(COMPACT_AFTER)

    def _fold(self, recommender: Recommender, events: list[CompactableEvent]) -> None:
        signalled = [e.article_id for e in events if e.kind in _SIGNAL_KINDS and e.article_id]
        vectors = self._vectors_of(signalled, keep=False)
        for event in events:
            if event.kind not in _SIGNAL_KINDS:
                continue
            if event.kind == SignalKind.MUTE_FEED and event.article_id is None:
                if event.feed_id is not None:
                    recommender.observe_vector(
                        event.kind, ArticleVector(0, event.feed_id, (), 0.0, None)
                    )
                continue
            vector = vectors.get(event.article_id) if event.article_id else None
            if vector is not None:  # else the article was deleted: nothing left to learn
                recommender.observe_vector(event.kind, vector)

    def _save(self) -> None:
        assert self._recommender is not None
        self.store.save_recommend_state(
            RecommendState(
                STATE_VERSION, self._last_event, self._folded, self._recommender.to_state()
            )
        )
        self._unsaved = 0

    def save(self) -> None:
        """Persist the model now (it is saved every SAVE_AFTER_EVENTS events anyway)."""
        with self._lock:
            self._model()
            self._save()

    def model_state(self) -> bytes:
        """The learned model as it stands after every event in the log (for checks)."""
        self.sync()
        with self._lock:
            return self._model().to_state()

    # --- article vectors -------------------------------------------------------------

    def _vectors_of(self, ids: Iterable[int], *, keep: bool) -> dict[int, ArticleVector]:
        """Vectors by id: remembered, else stored, else analysed now (and stored if ``keep``)."""
        wanted = list(dict.fromkeys(ids))
        found = {i: self._vectors[i] for i in wanted if i in self._vectors}
        missing = [i for i in wanted if i not in found]
        if missing:
            for article_id, data in self.store.article_vectors(
                missing, version=VECTOR_VERSION
            ).items():
                found[article_id] = decode_vector(article_id, data)
            missing = [i for i in missing if i not in found]
        if missing:
            found.update(self._analyse(missing, keep=keep))
        return found

    def _analyse(self, ids: list[int], *, keep: bool) -> dict[int, ArticleVector]:
        analysed: dict[int, ArticleVector] = {}
        for start in range(0, len(ids), _CHUNK):
            features = self.store.article_features(ids[start : start + _CHUNK])
            vectors = {i: vectorize(article, stories=keep) for i, article in features.items()}
            if keep:
                self.store.save_article_vectors(
                    ((i, encode_vector(v)) for i, v in vectors.items()), version=VECTOR_VERSION
                )
            analysed.update(vectors)
        return analysed

    def _candidates(self) -> list[ArticleVector]:
        rows = self.store.for_you_candidate_vectors(
            limit=self.candidate_limit, version=VECTOR_VERSION
        )
        vectors: dict[int, ArticleVector] = {}
        missing: list[int] = []
        for article_id, data in rows:
            known = self._vectors.get(article_id)
            if known is not None:
                vectors[article_id] = known
            elif data is not None:
                vectors[article_id] = decode_vector(article_id, data)
            else:
                missing.append(article_id)
        if missing:
            vectors.update(self._analyse(missing, keep=True))
        self._vectors = vectors
        return [vectors[article_id] for article_id, _ in rows if article_id in vectors]

    # --- what the views call ---------------------------------------------------------

    def rank(self, *, limit: int = 50) -> list[ForYouItem]:
        self.sync()
        with self._lock:
            candidates = self._candidates()
            ranked = self._model().rank_vectors(
                candidates, now=self.store.now(), limit=limit, details=self._details
            )
        summaries = {s.id: s for s in self.store.summaries([r.article_id for r in ranked])}
        return [
            ForYouItem(summaries[r.article_id], r.score, r.why, r.duplicates)
            for r in ranked
            if r.article_id in summaries
        ]

    def _details(self, ids: list[int]) -> dict[int, ArticleFeatures]:
        return self.store.article_features(ids)

    def less_like(self, article_id: int) -> None:
        """ "Less like this": recorded as a signal, so the next ranking adapts at once."""
        self.store.record_event("less_like", article_id=article_id)
        self.sync()

    def undo_less_like(self, article_id: int) -> bool:
        """Take a "less like this" back, so the article is suggested again.

        The event is deleted from the log and the model forgets it. For you suggests unread
        articles only, and the article was usually opened (so marked read) before "less
        like this": it is marked unread again, or "suggested again" would not be true.
        """
        self.sync()  # the event to take back is folded in, so forgetting it is exact
        if not self.store.undo_event("less_like", article_id=article_id):
            return False
        with self._lock:
            vector = self._vectors_of([article_id], keep=True).get(article_id)
            if vector is not None:
                self._model().undo_less_like(vector)
            self._folded -= 1
            self._save()
        self.store.set_read([article_id], False)
        return True

    def compact(self, *, older_than: timedelta = COMPACT_AFTER) -> int:
        """Fold the log into the persisted model and delete the old events it no longer
        needs: repeated or cancelled signals on one article and signals on deleted
        articles. Returns how many events were deleted."""
        with self._lock:
            if self._recommender is None and self.store.load_recommend_state() is None:
                return 0  # For you was never opened: nothing folded, nothing to compact
            self.sync()
            self._save()
            return self._compact_folded(older_than)

    def _compact_folded(self, older_than: timedelta) -> int:
        """Compact the events the just-saved state folded in (the lock is held)."""
        through = self._last_event
        events = self.store.compactable_events(
            through=through, before=self.store.now() - older_than, kinds=COMPACTED_KINDS
        )
        doomed = superseded_events(events)
        deleted = self.store.delete_folded_events(doomed, state_through=through)
        self._folded -= deleted
        return deleted


def _redundant_log(recommender: Recommender) -> int:
    """Past this many events the log is mostly repeats: compact it when next saving."""
    return 2 * recommender.model.signal_count + COMPACT_SLACK


def superseded_events(events: Iterable[CompactableEvent]) -> list[int]:
    """Ids of events whose effect a rebuild does not need, oldest first.

        An article's model evidence depends only on which signal kinds are in effect (added and
        not cancelled since), so of its events only the newest of each kind in effect is kept;
        an event on a deleted article (no article id) teaches nothing any more, and "mark unread"
    teaches nothing at all.
    """
    doomed: list[int] = []
    per_article: dict[int, list[tuple[int, str]]] = {}
    for event in events:
        if event.article_id is None or event.kind not in _MODEL_KINDS:
            doomed.append(event.id)
        else:
            per_article.setdefault(event.article_id, []).append((event.id, event.kind))
    for history in per_article.values():
        newest: dict[str, int] = {}
        for event_id, kind in history:
            if kind in CANCELS:
                newest.pop(CANCELS[kind], None)
            else:
                newest[kind] = event_id
        kept = set(newest.values())
        doomed.extend(event_id for event_id, _ in history if event_id not in kept)
    return sorted(doomed)
