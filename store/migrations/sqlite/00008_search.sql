-- Full-text search over posts (GET /posts?q=): an FTS5 index of each
-- post's title and content, kept by triggers in the same transaction as the
-- post's write, for every writer, foreign-key cascades included.
--
-- The index is contentless (content=''): it keeps the words and their
-- positions, not a second copy of the texts; contentless_delete lets a
-- trigger remove a post's entry by rowid. The tokenizer folds case and
-- accents (remove_diacritics 2) and stems English words (porter);
-- blogd_search_text (store/sqlite.go, search.IndexText) sets each Chinese,
-- Japanese or Korean character apart, so that it is a word of its own.
--
-- search_version counts the changes to the index, in the same transactions:
-- the store keeps the ranked answers of searches until it moves
-- (store/search.go), because ranking a word that thousands of posts hold
-- costs tens of milliseconds.

-- +goose Up
CREATE VIRTUAL TABLE posts_search USING fts5(title, content, content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2');

INSERT INTO posts_search (rowid, title, content)
    SELECT id, blogd_search_text(title), blogd_search_text(content) FROM posts;

CREATE TABLE search_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO search_version (id, version) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_search (rowid, title, content)
        VALUES (NEW.id, blogd_search_text(NEW.title), blogd_search_text(NEW.content));
    UPDATE search_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_search_update AFTER UPDATE OF title, content ON posts BEGIN
    DELETE FROM posts_search WHERE rowid = OLD.id;
    INSERT INTO posts_search (rowid, title, content)
        VALUES (NEW.id, blogd_search_text(NEW.title), blogd_search_text(NEW.content));
    UPDATE search_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_search WHERE rowid = OLD.id;
    UPDATE search_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER posts_search_delete;
DROP TRIGGER posts_search_update;
DROP TRIGGER posts_search_insert;
DROP TABLE search_version;
DROP TABLE posts_search;
