-- Article bodies compressed with LZ4 instead of pglz: list pages read up to 100 bodies each,
-- and pglz decompression was the largest single cost of GET /v1/articles?entity=... (9% of
-- all CPU under load). LZ4 decompresses several times faster at a similar size. Rows written
-- before this migration keep pglz until they are rewritten (re-import or reextract of a
-- changed article); both read the same.
ALTER TABLE articles ALTER COLUMN body SET COMPRESSION lz4;
ALTER TABLE articles ALTER COLUMN title SET COMPRESSION lz4;
