"""The store's schema as numbered migrations (``PRAGMA user_version``).

Migration N takes a database from version N-1 to N. Released migrations are never edited:
a change to the schema is a new migration appended to :data:`MIGRATIONS`.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: feeds, articles with their read/star/recommend state, full texts, signal events, search.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        user_title TEXT,
        site_url TEXT,
        description TEXT,
        folder TEXT,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        last_fetched_at TEXT,
        last_updated_at TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_fetch_after TEXT,
        gone INTEGER NOT NULL DEFAULT 0,
        muted INTEGER NOT NULL DEFAULT 0,
        full_text TEXT NOT NULL DEFAULT 'auto',
        refresh_interval INTEGER,
        bytes_downloaded INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        dedup_key TEXT NOT NULL,
        guid TEXT,
        link TEXT,
        title TEXT NOT NULL DEFAULT '',
        author TEXT,
        published TEXT,
        updated TEXT,
        summary_html TEXT,
        content_html TEXT,
        categories TEXT NOT NULL DEFAULT '[]',
        enclosures TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        sort_date TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        read_at TEXT,
        starred INTEGER NOT NULL DEFAULT 0,
        starred_at TEXT,
        recommended INTEGER NOT NULL DEFAULT 0,
        recommended_at TEXT,
        UNIQUE (feed_id, dedup_key)
    );
    CREATE INDEX articles_by_date ON articles (sort_date DESC, id DESC);
    CREATE INDEX articles_by_feed ON articles (feed_id, sort_date DESC, id DESC);
    CREATE INDEX articles_unread ON articles (sort_date DESC, id DESC) WHERE read = 0;
    CREATE INDEX articles_unread_by_feed ON articles (feed_id) WHERE read = 0;
    CREATE INDEX articles_starred ON articles (starred_at DESC) WHERE starred = 1;
    CREATE INDEX articles_recommended ON articles (recommended_at DESC) WHERE recommended = 1;
    CREATE TABLE full_texts (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        etag TEXT,
        title TEXT,
        standfirst TEXT,
        author TEXT,
        published TEXT,
        markdown TEXT,
        bytes_downloaded INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        value REAL
    );
    CREATE INDEX events_by_article ON events (article_id);
    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        query TEXT NOT NULL
    );
    CREATE TABLE refreshes (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        feeds INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        new_articles INTEGER NOT NULL DEFAULT 0,
        bytes_downloaded INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL DEFAULT 'feeds'
    );
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, author, body, tokenize = 'unicode61 remove_diacritics 2', detail = column
    );
    """,
    # 2: retention. Deleted articles leave a tombstone keyed like the dedup lookup, so a feed
    # that still lists them does not bring them back as new; ``seen_at`` is the last time a
    # feed listed it, so tombstones of entries long gone from their feed can be dropped.
    """
    CREATE TABLE deleted_articles (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        dedup_key TEXT NOT NULL,
        deleted_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (feed_id, dedup_key)
    ) WITHOUT ROWID;
    CREATE INDEX deleted_articles_by_seen ON deleted_articles (seen_at);
    CREATE INDEX events_by_feed ON events (feed_id);
    """,
    # 3: what a new user tripped on (issue 15). Undated articles of a feed's first document
    # (its backlog: they share the feed's earliest first_seen) sort a second above the
    # nearest dated article the feed listed after them, else a second below the one before
    # them (ids follow the document), instead of floating above everything as "today".
    # Untitled articles get a title from the start of their indexed text, as store_feed
    # now does (titles.title_from_text; here simplified: the first ". " sentence, else 80
    # characters), unless that text holds a character the sanitiser would remove.
    """
    UPDATE articles SET sort_date = coalesce(
        (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', b.sort_date, '+1 second') FROM articles b
          WHERE b.feed_id = articles.feed_id AND b.first_seen = articles.first_seen
            AND b.published = b.sort_date AND b.id > articles.id
          ORDER BY b.id LIMIT 1),
        (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', b.sort_date, '-1 second') FROM articles b
          WHERE b.feed_id = articles.feed_id AND b.first_seen = articles.first_seen
            AND b.published = b.sort_date AND b.id < articles.id
          ORDER BY b.id DESC LIMIT 1),
        sort_date)
    WHERE published IS NULL
      AND first_seen = (SELECT min(c.first_seen) FROM articles c
                         WHERE c.feed_id = articles.feed_id);
    UPDATE articles SET title = coalesce((
        SELECT CASE
            WHEN substr(f.body, 1, 81) GLOB '*[' || char(
            1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
            23, 24, 25, 26, 27, 28, 29, 30, 31, 127, 128, 129, 130, 131, 132, 133,
            134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147,
            148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 1564, 8203,
            8204, 8205, 8206, 8207, 8232, 8233, 8234, 8235, 8236, 8237, 8238, 8288,
            8289, 8290, 8291, 8292, 8293, 8294, 8295, 8296, 8297, 8298, 8299, 8300,
            8301, 8302, 8303, 65279, 65529, 65530, 65531
            ) || ']*' THEN ''
            WHEN instr(substr(f.body, 9, 73), '. ') > 0
                THEN substr(f.body, 1, 8 + instr(substr(f.body, 9, 73), '. '))
            WHEN length(f.body) <= 80 THEN f.body
            ELSE rtrim(substr(f.body, 1, 79)) || '…'
        END
        FROM articles_fts f WHERE f.rowid = articles.id), '')
    WHERE title = '';
    UPDATE articles_fts
    SET title = (SELECT a.title FROM articles a WHERE a.id = articles_fts.rowid)
    WHERE title = '' AND rowid IN (SELECT id FROM articles WHERE title <> '');
    """,
    # 4: media. Enclosures (podcasts): a download queue and playback state per enclosure, kept
    # apart from the article's read state (played is not read); a per-feed auto-download
    # switch. Images fetched for the reading pane, kept with their article for offline
    # reading (or why one was refused). A per-feed data saver: no images, no auto-download.
    """
    CREATE TABLE enclosure_state (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        download TEXT NOT NULL DEFAULT 'none',
        path TEXT,
        bytes INTEGER NOT NULL DEFAULT 0,
        total INTEGER,
        error TEXT,
        queued_at TEXT,
        downloaded_at TEXT,
        position REAL NOT NULL DEFAULT 0,
        duration REAL,
        played INTEGER NOT NULL DEFAULT 0,
        played_at TEXT,
        PRIMARY KEY (article_id, url)
    ) WITHOUT ROWID;
    CREATE INDEX enclosure_downloads ON enclosure_state (download) WHERE download != 'none';
    ALTER TABLE feeds ADD COLUMN auto_download INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN data_saver INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE article_images (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        format TEXT,
        width INTEGER,
        height INTEGER,
        data BLOB,
        error TEXT,
        bytes_downloaded INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (article_id, url)
    ) WITHOUT ROWID;
    """,
    # 5: the For you recommender's persisted state. ``recommend_vectors`` keeps each analysed
    # article's features (valid while its version and content hash match); ``recommend_state``
    # is the learned model folded up to event ``last_event``, with how many events at or
    # below it it folded, so a log changed behind its back is noticed and replayed.
    """
    CREATE TABLE recommend_vectors (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        data BLOB NOT NULL
    );
    CREATE TABLE recommend_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        last_event INTEGER NOT NULL,
        folded_events INTEGER NOT NULL,
        saved_at TEXT NOT NULL,
        data BLOB NOT NULL
    );
    """,
    # 6: the query language, tags and rules (issue 10). ``hidden`` keeps an article out of
    # every view but ``is:hidden``; tags are many per feed and per article (case-blind);
    # ``rule_effects`` records what each rule changed so that it can be undone;
    # ``feed_retention`` overrides config's keep_days/keep_per_feed for one feed (NULL: the
    # config's; 0: keep forever). ``articles_cover`` holds every flag a query filters on,
    # in date order: queries and counts scan it instead of reading article rows, whose
    # flags sit after the HTML (``hidden`` was added last) and often on overflow pages
    # (bench/query_bench.py).
    """
    ALTER TABLE articles ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_cover ON articles
        (sort_date DESC, id DESC, hidden, read, starred, recommended, feed_id);
    CREATE INDEX articles_with_enclosures ON articles (id) WHERE enclosures != '[]';
    CREATE TABLE feed_tags (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (feed_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX feed_tags_by_tag ON feed_tags (tag);
    CREATE TABLE article_tags (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (article_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX article_tags_by_tag ON article_tags (tag);
    CREATE TABLE rule_effects (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        action TEXT NOT NULL,
        previous INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL
    );
    CREATE INDEX rule_effects_by_rule ON rule_effects (rule);
    CREATE INDEX rule_effects_by_article ON rule_effects (article_id);
    CREATE TABLE feed_retention (
        feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
        keep_days INTEGER,
        keep_per_feed INTEGER
    );
    """,
    # 7: sync with a reader's server (Google Reader API, Fever). One account at most; the
    # server's ids of feeds and articles; the queue of state changes not yet pushed, written
    # in the same transaction as each change. ``cursor`` is the API's incremental position.
    """
    CREATE TABLE sync_account (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        user TEXT NOT NULL,
        password_command TEXT,
        password_file TEXT,
        insecure_http INTEGER NOT NULL DEFAULT 0,
        cursor TEXT,
        added_at TEXT NOT NULL,
        last_sync TEXT,
        last_error TEXT
    );
    CREATE TABLE sync_feeds (
        remote_id TEXT PRIMARY KEY,
        feed_id INTEGER NOT NULL UNIQUE REFERENCES feeds(id) ON DELETE CASCADE
    );
    CREATE TABLE sync_items (
        remote_id TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX sync_items_by_article ON sync_items (article_id);
    CREATE TABLE sync_queue (
        id INTEGER PRIMARY KEY,
        remote_id TEXT NOT NULL,
        action TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX sync_queue_by_item ON sync_queue (remote_id);
    """,
    # 8: the search index keeps word positions (``detail=full``), so a phrase is an FTS5 phrase
    # query instead of its words found in the index and then every candidate's text scanned
    # (a phrase of two common words: 300-500 ms for a count on 100,000 articles; 30-60 ms
    # now; bench/query_bench.py). It costs ~2.7x the index's size (37 to 98 MB there, 9 % of
    # the file) and ~15 us more CPU per stored article, about half of which merging segments
    # 8 at a time instead of 4 (``automerge``) wins back: a refresh stores a feed per
    # transaction, so the index is mostly small segments being merged
    # (bench/fts_write_bench.py). FTS5 cannot change a table's detail,
    # so the index is built anew from its own text (~20 s once for 100,000 articles), which
    # waits in a temporary table so that the new index reuses the old one's pages instead of
    # growing the file by a copy of every article's text.
    """
    CREATE TEMP TABLE articles_fts_text AS
        SELECT rowid AS id, title, author, body FROM articles_fts;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, author, body, tokenize = 'unicode61 remove_diacritics 2', detail = full
    );
    INSERT INTO articles_fts (rowid, title, author, body)
        SELECT id, title, author, body FROM temp.articles_fts_text;
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8);
    DROP TABLE temp.articles_fts_text;
    """,
    # 9: the search index gathers up to 8 MB of new terms in memory before it writes them as
    # a segment (FTS5's ``hashsize``; 1 MB by default). A cold refresh stores up to 32 feeds
    # (1,600 articles, ~5 MB of text) per transaction, which at 1 MB became several small
    # segments to write and merge again; now one: 36 instead of 49 CPU us per article
    # (bench/fts_write_bench.py --batch 1600). Memory is only held during a transaction.
    """
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 8388608);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
