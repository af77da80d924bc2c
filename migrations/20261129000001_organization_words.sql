-- A short form of an organization's name ("Treasury", "Security Council", "Army") is linked
-- across articles to the organization whose name begins or ends with it ("U.S. Treasury",
-- "U.N. Security Council", "Pakistan Army"), when the article's other entities say which.
-- This index finds those candidates: organizations whose match key has a given word.
CREATE INDEX entities_organization_words_idx
    ON entities USING gin (string_to_array(split_part(match_key, ':', 2), ' '))
    WHERE kind = 'organization';
