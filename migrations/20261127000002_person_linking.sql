-- Persons are linked across articles by surname: an article that names only "Vučić" joins the
-- one stored person whose full name ends in "vucic". This index finds those candidates: the
-- last word of the match key ("person:aleksandar vucic" -> "vucic").
CREATE INDEX entities_person_surname_idx
    ON entities ((split_part(split_part(match_key, ':', 2), ' ', -1)), article_count DESC)
    WHERE kind = 'person';

-- When an entity is merged into another (a lone surname into the full name that turned up
-- later), its old id and slug keep answering: the API follows these to the surviving entity.
-- Slugs here stay reserved, so a new entity never takes one.
CREATE TABLE entity_redirects (
    old_id     uuid PRIMARY KEY,
    old_slug   text NOT NULL UNIQUE,
    entity_id  uuid NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX entity_redirects_entity_idx ON entity_redirects (entity_id);
