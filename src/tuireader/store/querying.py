"""Articles chosen by the query language (``tuireader.query``): lists, counts, mark-read."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tuireader.models import ArticleSummary
from tuireader.query import CompiledQuery, Node, QueryError, compile_query, parse_query
from tuireader.store.articles import ArticleQuery, ArticlesMixin, Sort, _where
from tuireader.store.saved import SavedSearchesMixin
from tuireader.store.state import StateMixin

#: Every flag a query filters on, in date order (migration 3). Named, because once ANALYZE
#: has run SQLite prefers the narrower date indexes and then reads each article's record
#: for its flags, 5-10 times slower for counts (bench/query_bench.py).
_ARTICLES = "articles a INDEXED BY articles_cover"
_ORDER = {
    Sort.NEWEST: " ORDER BY a.sort_date DESC, a.id DESC",
    Sort.OLDEST: " ORDER BY a.sort_date ASC, a.id ASC",
    Sort.FEED: " ORDER BY a.feed_id, a.sort_date DESC, a.id DESC",
}


@dataclass(frozen=True, slots=True)
class QueryFeed:
    """A saved search in the sidebar; ``unread`` is None when its query no longer parses."""

    name: str
    query: str
    unread: int | None


class QueryMixin(ArticlesMixin, StateMixin, SavedSearchesMixin):
    def compile(self, query: str | Node, *, prefix_last: bool = False) -> CompiledQuery:
        """Raises :class:`tuireader.query.QueryError` for a query that does not parse."""
        node = parse_query(query) if isinstance(query, str) else query
        return compile_query(node, self.now(), prefix_last=prefix_last)

    def _query_where(
        self,
        query: str | Node,
        within: ArticleQuery | None,
        prefix_last: bool,
        unread_only: bool = False,
    ) -> tuple[str, list[object]]:
        """The WHERE clause: the view's and ``unread_only``'s cheap tests first, the query
        last (SQLite tests in this order, and the query's full-text probes cost most)."""
        compiled = self.compile(query, prefix_last=prefix_last)
        clauses: list[str] = []
        params: list[object] = []
        if within is not None:
            # The query says whether hidden articles count, not the view.
            view, params = _where(replace(within, include_hidden=True), self.now())
            if view:
                clauses.append(view.removeprefix(" WHERE "))
        if unread_only:
            clauses.append("a.read = 0")
        clauses.append(compiled.where)
        params.extend(compiled.params)
        return " WHERE " + " AND ".join(clauses), params

    def query_ids(
        self,
        query: str | Node,
        *,
        within: ArticleQuery | None = None,
        limit: int | None = None,
        sort: Sort = Sort.NEWEST,
        prefix_last: bool = False,
    ) -> list[int]:
        """Ids matching ``query`` (inside the view ``within``, when given), in ``sort`` order."""
        where, params = self._query_where(query, within, prefix_last)
        sql = f"SELECT a.id FROM {_ARTICLES}{where}{_ORDER[sort]}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.db.read() as conn:
            return [row[0] for row in conn.execute(sql, params)]

    def count_query(
        self, query: str | Node, *, unread_only: bool = True, within: ArticleQuery | None = None
    ) -> int:
        """How many match (unread ones by default): the sidebar's count for a query feed."""
        where, params = self._query_where(query, within, False, unread_only)
        with self.db.read() as conn:
            return int(
                conn.execute(f"SELECT count(*) FROM {_ARTICLES}{where}", params).fetchone()[0]
            )

    def query_summaries(
        self, query: str | Node, *, limit: int = 100, sort: Sort = Sort.NEWEST
    ) -> list[ArticleSummary]:
        return self.summaries(self.query_ids(query, limit=limit, sort=sort))

    def mark_matching_read(self, query: str | Node) -> list[int]:
        """Mark every unread match read; returns the changed ids (for undo)."""
        where, params = self._query_where(query, None, False, unread_only=True)
        with self.db.read() as conn:
            ids = [row[0] for row in conn.execute(f"SELECT a.id FROM {_ARTICLES}{where}", params)]
        return self.set_read(ids, True)

    def query_feeds(self) -> list[QueryFeed]:
        """Saved searches with their unread counts: one COUNT query each (a few ms)."""
        feeds = []
        for saved in self.named_searches():
            name, query = saved.name, saved.query
            try:
                unread: int | None = self.count_query(query)
            except QueryError:
                unread = None
            feeds.append(QueryFeed(name, query, unread))
        return feeds
