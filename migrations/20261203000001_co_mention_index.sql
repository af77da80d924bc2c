-- Linking a new mention reads, for each candidate entity, its newest articles that name it
-- (`db::link_candidates::co_mentions`: `WHERE entity_id = ? AND named ORDER BY date DESC
-- LIMIT 200`). With `named` and `published_at` only in the heap, that walk fetches a heap row
-- per index entry, and once the table is large PostgreSQL's generic plan (about 175 rows per
-- entity at 441,000 articles, below the limit) bitmap-scans all of an entity's rows and sorts
-- them instead: 40,000 rows for the most common entities, which slowed the import from about
-- 375 to 128 articles per second. With both in the index the walk is an index-only scan that
-- stops at the limit. (`published_at` must be stored even though the key holds
-- COALESCE(published_at, ...): PostgreSQL plans index-only scans by columns, not expressions.)
-- The index is rebuilt in place rather than added beside it, so writes still pay for one.
DROP INDEX article_entities_entity_recent_idx;
CREATE INDEX article_entities_entity_recent_idx
    ON article_entities (entity_id, (COALESCE(published_at, '-infinity'::timestamptz)) DESC, article_id DESC)
    INCLUDE (mention_count, named, published_at);
