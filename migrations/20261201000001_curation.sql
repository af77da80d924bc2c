-- Curation: people correcting what automatic resolution got wrong (merge, split, edit,
-- suppress). Every change is one row of an append-only log; the rules a change leaves behind
-- are read by every later import, re-extraction and `resolve`, so that a merge stays merged
-- and a suppressed name stays suppressed. Undoing a change is a change too (`undoes`).

CREATE TABLE curation_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation  text NOT NULL CHECK (operation IN ('merge', 'split', 'edit', 'suppress', 'undo')),
    -- The entity it is about (the survivor of a merge, the entity split or edited). No
    -- foreign key: the log outlives the entities it names.
    entity_id  uuid,
    -- Every entity it touched, for each entity's history.
    entities   uuid[] NOT NULL,
    -- The name configured beside the write token that made it (never the token).
    actor      text NOT NULL CHECK (actor <> ''),
    reason     text,
    -- What was asked, with entities named by id.
    request    jsonb NOT NULL,
    -- What it replaced: the rows and values an undo puts back.
    undo       jsonb NOT NULL,
    undoes     bigint UNIQUE REFERENCES curation_changes (id),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX curation_changes_entities_idx ON curation_changes USING gin (entities);

CREATE FUNCTION curation_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'curation_changes is append-only: undo a change with a new one';
END
$$;

CREATE TRIGGER curation_changes_append_only
    BEFORE UPDATE OR DELETE ON curation_changes
    FOR EACH ROW EXECUTE FUNCTION curation_changes_append_only();
CREATE TRIGGER curation_changes_no_truncate
    BEFORE TRUNCATE ON curation_changes
    FOR EACH STATEMENT EXECUTE FUNCTION curation_changes_append_only();

-- Every mention a change moved (to_entity) or removed (to_entity NULL, with what re-inserting
-- it takes), so that an undo puts back exactly those.
CREATE TABLE curation_moves (
    change_id    bigint NOT NULL REFERENCES curation_changes (id),
    article_id   uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    field        text NOT NULL CHECK (field IN ('title', 'body')),
    start_offset integer NOT NULL,
    from_entity  uuid NOT NULL,
    to_entity    uuid,
    end_offset   integer,
    surface      text,
    confidence   real,
    PRIMARY KEY (change_id, article_id, field, start_offset)
);

-- An extracted identity (kind, match key) stored as a chosen entity: left by merges (each
-- merged entity's key) and type changes (the key under the old type). The entity is
-- followed through entity_redirects when it is merged later.
CREATE TABLE curation_keys (
    kind      text NOT NULL CHECK (kind IN ('person', 'place', 'organization')),
    match_key text NOT NULL CHECK (match_key <> ''),
    entity_id uuid NOT NULL,
    change_id bigint NOT NULL REFERENCES curation_changes (id),
    PRIMARY KEY (kind, match_key)
);

CREATE INDEX curation_keys_change_idx ON curation_keys (change_id);

-- Mentions of an entity that a split sends to another: every mention whose surface folds to
-- alias_norm, or the one mention at (article_id, field, start_offset).
CREATE TABLE curation_splits (
    change_id    bigint NOT NULL REFERENCES curation_changes (id),
    entity_id    uuid NOT NULL,
    target_id    uuid NOT NULL,
    alias_norm   text,
    article_id   uuid,
    field        text CHECK (field IN ('title', 'body')),
    start_offset integer,
    CHECK ((alias_norm IS NULL) = (article_id IS NOT NULL)),
    CHECK ((article_id IS NULL) = (field IS NULL) AND (field IS NULL) = (start_offset IS NULL))
);

CREATE INDEX curation_splits_entity_idx ON curation_splits (entity_id);
CREATE INDEX curation_splits_change_idx ON curation_splits (change_id);

-- Names that are not entities: of one type, or of any (kind NULL).
CREATE TABLE curation_suppressions (
    change_id bigint PRIMARY KEY REFERENCES curation_changes (id),
    name      text NOT NULL CHECK (name <> ''),
    norm      text NOT NULL CHECK (norm <> ''),
    kind      text CHECK (kind IN ('person', 'place', 'organization')),
    UNIQUE NULLS NOT DISTINCT (norm, kind)
);

-- Aliases a curator removed from an entity: imports do not add them back.
CREATE TABLE curation_removed_aliases (
    entity_id uuid NOT NULL,
    norm      text NOT NULL,
    change_id bigint NOT NULL REFERENCES curation_changes (id),
    PRIMARY KEY (entity_id, norm)
);

CREATE INDEX curation_removed_aliases_change_idx ON curation_removed_aliases (change_id);

-- Fields a curator set ('name', 'type', 'wikidata_id'): `resolve` does not rename or re-key
-- the entity, and imports do not overwrite its Wikidata id.
ALTER TABLE entities ADD COLUMN curated_fields text[] NOT NULL DEFAULT '{}';
