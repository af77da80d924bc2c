-- Indexes for resolving entities across articles and for re-resolving stored data.

-- A short form of an organization's name ("Treasury", "Security Council", "Army") is linked
-- across articles to the organization whose name begins or ends with it ("U.S. Treasury",
-- "U.N. Security Council", "Pakistan Army"), when the article's other entities say which.
-- These indexes find those candidates by range scans: keys beginning with the short form,
-- and (reversed) keys ending with it.
CREATE INDEX entities_organization_prefix_idx
    ON entities (match_key text_pattern_ops) WHERE kind = 'organization';
CREATE INDEX entities_organization_suffix_idx
    ON entities (reverse(match_key) text_pattern_ops) WHERE kind = 'organization';

-- Mentions by entity. Re-resolution retires the entities no article names any more and
-- merges move an entity's mentions; both need to find an entity's mentions, and deleting an
-- entity makes PostgreSQL check that no mention still points at it (a scan of the whole
-- table per entity without this index: minutes when thousands of entities retire at once).
CREATE INDEX mentions_entity_idx ON mentions (entity_id);

-- Whether the article names the entity itself, rather than only by a short form that linking
-- attached to it ("Yeltsin" linked to Boris Yeltsin). The evidence for linking counts only
-- the articles that name a candidate, so that what linking decided earlier does not become
-- evidence for itself, and resolving the same data twice gives the same result.
ALTER TABLE article_entities ADD COLUMN named boolean NOT NULL DEFAULT true;

-- The API finds entities by Wikidata id (GET /v1/entities/Q30, entity=Q30).
CREATE INDEX entities_wikidata_idx ON entities (wikidata_id, article_count DESC)
    WHERE wikidata_id IS NOT NULL;
