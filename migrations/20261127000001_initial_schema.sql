-- newsgraph's initial schema: sources, articles, entities, their aliases, mentions, and the
-- per-article, per-entity aggregate the API reads.
--
-- Conventions:
-- * Article and entity keys are UUIDv7 made by the application (time-ordered, so inserts append
--   to the primary key index instead of scattering over it).
-- * Text offsets are Unicode code points, as the extraction engine and the API report them.
-- * Undated articles sort as the oldest: every keyset index orders by
--   COALESCE(published_at, '-infinity') so that NULL dates need no special case in the queries.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Full-text search that ignores accents: "Vucic" matches "Vučić".
CREATE TEXT SEARCH CONFIGURATION newsgraph_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION newsgraph_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

-- One row per publisher domain ("sputnikglobe.com"); `name` is the display name given by the
-- input, else the domain itself.
CREATE TABLE sources (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain     text NOT NULL UNIQUE CHECK (domain <> '' AND domain = lower(domain)),
    name       text NOT NULL CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- `url` is the canonical URL and the idempotency key of the importer. `content_hash` (SHA-256
-- of the normalized fields) tells an unchanged re-import from an update without comparing
-- bodies. `search` is generated so that it can never disagree with title and body.
CREATE TABLE articles (
    id                uuid PRIMARY KEY,
    url               text NOT NULL UNIQUE CHECK (url <> ''),
    title             text NOT NULL,
    body              text NOT NULL CHECK (body <> ''),
    published_at      timestamptz,
    source_id         integer NOT NULL REFERENCES sources (id),
    language          text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    content_hash      bytea NOT NULL CHECK (octet_length(content_hash) = 32),
    extractor_version text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    search            tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsgraph_english'::regconfig, title), 'A')
        || setweight(to_tsvector('newsgraph_english'::regconfig, body), 'B')
    ) STORED
);

CREATE INDEX articles_search_idx ON articles USING gin (search);
-- Keyset pagination, newest first and oldest first.
CREATE INDEX articles_published_idx
    ON articles ((COALESCE(published_at, '-infinity'::timestamptz)), id);
CREATE INDEX articles_source_published_idx
    ON articles (source_id, (COALESCE(published_at, '-infinity'::timestamptz)), id);
-- reextract walks articles whose extractor version is not the current one.
CREATE INDEX articles_extractor_version_idx ON articles (extractor_version);

-- An entity is identified across articles by (kind, match_key), the extraction engine's
-- normalized key; `slug` is its readable, unique address in the API. The counts and the
-- first/last-seen dates are derived from article_entities and kept in step by the importer,
-- because the API sorts and filters on them.
CREATE TABLE entities (
    id            uuid PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('person', 'place', 'organization')),
    name          text NOT NULL CHECK (name <> ''),
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    match_key     text NOT NULL CHECK (match_key <> ''),
    article_count integer NOT NULL DEFAULT 0 CHECK (article_count >= 0),
    mention_count integer NOT NULL DEFAULT 0 CHECK (mention_count >= article_count),
    first_seen    timestamptz,
    last_seen     timestamptz,
    latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
    geonames_id   bigint,
    wikidata_id   text CHECK (wikidata_id ~ '^Q[0-9]+$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, match_key),
    CHECK (first_seen <= last_seen),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE INDEX entities_popular_idx ON entities (article_count DESC, id);
CREATE INDEX entities_kind_popular_idx ON entities (kind, article_count DESC, id);
CREATE INDEX entities_last_seen_idx ON entities ((COALESCE(last_seen, '-infinity'::timestamptz)) DESC, id);
CREATE INDEX entities_name_idx ON entities (lower(name) COLLATE "C", id);

-- Every surface form an entity was seen under. `norm` is folded by the application with the
-- same function as the match key (case, diacritics, Cyrillic to Latin), so that search ignores
-- all three; the trigram index serves fuzzy search, the pattern index serves prefix search.
CREATE TABLE entity_aliases (
    entity_id uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    alias     text NOT NULL CHECK (alias <> ''),
    norm      text NOT NULL,
    PRIMARY KEY (entity_id, alias)
);

CREATE INDEX entity_aliases_norm_trgm_idx ON entity_aliases USING gin (norm gin_trgm_ops);
CREATE INDEX entity_aliases_norm_prefix_idx ON entity_aliases (norm text_pattern_ops);

-- One row per mention. An article's mentions are replaced as a whole when it is re-extracted,
-- so they need no key of their own. They are always reached through their article (the
-- mentions of an entity via article_entities first), so the primary key is their only index:
-- every other index would slow the bulk load of the largest table.
CREATE TABLE mentions (
    article_id   uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    field        text NOT NULL CHECK (field IN ('title', 'body')),
    start_offset integer NOT NULL CHECK (start_offset >= 0),
    end_offset   integer NOT NULL CHECK (end_offset > start_offset),
    entity_id    uuid NOT NULL REFERENCES entities (id),
    surface      text NOT NULL CHECK (char_length(surface) = end_offset - start_offset),
    confidence   real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    PRIMARY KEY (article_id, field, start_offset)
);

-- The per-article, per-entity aggregate: "the articles of entity X, newest first" is one range
-- of article_entities_entity_recent_idx. published_at is copied from the article for that
-- reason and rewritten with the article's mentions.
CREATE TABLE article_entities (
    article_id    uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entity_id     uuid NOT NULL REFERENCES entities (id),
    mention_count integer NOT NULL CHECK (mention_count > 0),
    published_at  timestamptz,
    PRIMARY KEY (article_id, entity_id)
);

CREATE INDEX article_entities_entity_recent_idx
    ON article_entities (entity_id, (COALESCE(published_at, '-infinity'::timestamptz)) DESC, article_id DESC)
    INCLUDE (mention_count);
