-- Full-text search over posts (GET /posts?q=): a tsvector of each post's
-- title (weight A) and content (weight B), kept by a trigger in the same
-- transaction as the post's write, and a GIN index on it.
--
-- The words are those of SQLite's index (migration 00008 there):
-- blogd_search_text removes combining accents (NFD, then U+0300..U+036F
-- out, then NFC), turns every run of characters that are not letters or
-- digits into a space (so that e-mail is two words, as SQLite reads it,
-- not PostgreSQL's hyphenated word and its parts), and sets each Chinese,
-- Japanese or Korean character apart (the ranges of search.IsCJK). The
-- configuration blogd_search stems English words with the Snowball
-- stemmer and keeps every word: no stop words, as SQLite has none. It
-- needs a UTF-8 database with a UTF-8 ctype (as C.UTF-8 or en_US.UTF-8), in
-- which letters of every script are [:alnum:].

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION blogd_search_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(
        regexp_replace(
            normalize(regexp_replace(normalize(t, NFD), '[\u0300-\u036f]', '', 'g'), NFC),
            '[^[:alnum:]]+', ' ', 'g'),
        '([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af])', ' \1 ', 'g')
$$;
-- +goose StatementEnd

CREATE TEXT SEARCH DICTIONARY blogd_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION blogd_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION blogd_search
    ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
    WITH blogd_english_stem;

-- +goose StatementBegin
CREATE FUNCTION posts_search_vector(title text, content text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('blogd_search', blogd_search_text(title)), 'A')
        || setweight(to_tsvector('blogd_search', blogd_search_text(content)), 'B')
$$;
-- +goose StatementEnd

ALTER TABLE posts ADD COLUMN search tsvector;
UPDATE posts SET search = posts_search_vector(title, content);
ALTER TABLE posts ALTER COLUMN search SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION posts_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := posts_search_vector(NEW.title, NEW.content);
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER posts_search_update BEFORE INSERT OR UPDATE OF title, content ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search_update();

CREATE INDEX posts_search_idx ON posts USING gin (search);

-- +goose Down
DROP INDEX posts_search_idx;
DROP TRIGGER posts_search_update ON posts;
DROP FUNCTION posts_search_update();
ALTER TABLE posts DROP COLUMN search;
DROP FUNCTION posts_search_vector(text, text);
DROP TEXT SEARCH CONFIGURATION blogd_search;
DROP TEXT SEARCH DICTIONARY blogd_english_stem;
DROP FUNCTION blogd_search_text(text);
