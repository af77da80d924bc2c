-- The in-memory snapshots (entity directory, full-text index) check for changes every two
-- seconds by the entities' latest `updated_at`, which every write of entities or of their
-- articles sets: an index makes that check one index probe instead of a scan.
CREATE INDEX entities_updated_at_idx ON entities (updated_at);
