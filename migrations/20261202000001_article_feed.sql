-- The article change feed: one row per article, renumbered each time its entities are
-- written: an import or a POST storing it (new, or with changed content), `reextract`,
-- `resolve`, an undo. `seq` is taken under the ingest
-- lock, which every writer holds until it commits, so the numbers follow the order of the
-- commits: a reader that has seen `seq` N has seen everything committed before N, which is
-- what `GET /v1/articles/stream` resumes from (`Last-Event-ID`) and what `updated_since=`
-- filters on (`changed_at`, taken under the same lock, so it grows in commit order too).
-- Kept beside `articles` instead of in it: renumbering an article would rewrite its row and
-- recompute its full-text vector.
CREATE SEQUENCE article_changes_seq AS bigint;

CREATE TABLE article_changes (
    article_id uuid PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    seq        bigint NOT NULL UNIQUE,
    changed_at timestamptz NOT NULL
);

CREATE INDEX article_changes_changed_at_idx ON article_changes (changed_at);

-- Articles stored before the feed existed enter it in list order, oldest first.
INSERT INTO article_changes (article_id, seq, changed_at)
SELECT id, nextval('article_changes_seq'), updated_at
FROM articles
ORDER BY updated_at, id;
