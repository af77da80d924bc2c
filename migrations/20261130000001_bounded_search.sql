-- Full-text search reads a body's first 250,000 characters.
--
-- PostgreSQL refuses a tsvector over 1 MB ("string is too long for tsvector"), and the
-- generated `search` column held the lexemes of the whole body: an article of a few MB of
-- varied words (bodies may hold 8 MiB) could not be stored at all, and the error surfaced as a
-- 500. 250,000 characters of any text give at most about 600 KB of lexemes and positions
-- (measured: 600,008 bytes for distinct four-letter words, the worst case; 307,580 for
-- distinct 32-letter ones), and titles are at most 2,000 characters. The cut lies far
-- beyond news articles (a few thousand characters; the longest of the 24,000 bench
-- articles has 30,925), so search results do not change for any of them.
--
-- Dropping and adding the column rewrites the table once (about a minute per 250,000
-- articles on 2 cores) and rebuilds its index.
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('newsgraph_english'::regconfig, title), 'A')
    || setweight(to_tsvector('newsgraph_english'::regconfig, left(body, 250000)), 'B')
) STORED;
ALTER TABLE articles ALTER COLUMN search SET STORAGE EXTERNAL;
CREATE INDEX articles_search_idx ON articles USING gin (search);
