-- Row counts per block of ids, so that a deep page of a whole table costs
-- the same at any depth.
--
-- GET /posts?skip=N (and /users, /comments) must find the N-th row in id
-- order. SQLite can only walk to it, entry by entry, so the cost grew with
-- N and with the table. page_blocks keeps, for every block of 1,024 ids
-- (block = id >> 10), how many rows the block holds (n) and how many rows
-- all earlier blocks hold (before). A page starts at the last block whose
-- before is at most N, and walks fewer than 1,024 entries from there
-- (store/sqlite.go, pageIDs; the shift 10 there must match this file).
--
-- The triggers keep the counts exact in the same transaction as the change,
-- for every writer, including foreign-key cascades. Ids only grow
-- (AUTOINCREMENT), so an insert lands in the last block and its UPDATE of
-- later blocks finds no rows; a delete lowers before in every later block,
-- a few dozen rows even at 100,000 comments. Empty blocks stay: their
-- counts are still right.

-- +goose Up
CREATE TABLE page_blocks (
    tbl    TEXT    NOT NULL,
    block  INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    before INTEGER NOT NULL,
    PRIMARY KEY (tbl, block)
) WITHOUT ROWID;

INSERT INTO page_blocks (tbl, block, n, before)
    SELECT 'users', id >> 10, count(*), 0 FROM users GROUP BY id >> 10
    UNION ALL
    SELECT 'posts', id >> 10, count(*), 0 FROM posts GROUP BY id >> 10
    UNION ALL
    SELECT 'comments', id >> 10, count(*), 0 FROM comments GROUP BY id >> 10;
UPDATE page_blocks SET before = (
    SELECT coalesce(sum(b.n), 0) FROM page_blocks b
    WHERE b.tbl = page_blocks.tbl AND b.block < page_blocks.block);

-- +goose StatementBegin
CREATE TRIGGER users_page_blocks_insert AFTER INSERT ON users BEGIN
    UPDATE page_blocks SET before = before + 1 WHERE tbl = 'users' AND block > NEW.id >> 10;
    INSERT INTO page_blocks (tbl, block, n, before) VALUES ('users', NEW.id >> 10, 1,
        coalesce((SELECT before + n FROM page_blocks WHERE tbl = 'users' AND block < NEW.id >> 10
            ORDER BY block DESC LIMIT 1), 0))
        ON CONFLICT (tbl, block) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_page_blocks_delete AFTER DELETE ON users BEGIN
    UPDATE page_blocks SET n = n - 1 WHERE tbl = 'users' AND block = OLD.id >> 10;
    UPDATE page_blocks SET before = before - 1 WHERE tbl = 'users' AND block > OLD.id >> 10;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_page_blocks_insert AFTER INSERT ON posts BEGIN
    UPDATE page_blocks SET before = before + 1 WHERE tbl = 'posts' AND block > NEW.id >> 10;
    INSERT INTO page_blocks (tbl, block, n, before) VALUES ('posts', NEW.id >> 10, 1,
        coalesce((SELECT before + n FROM page_blocks WHERE tbl = 'posts' AND block < NEW.id >> 10
            ORDER BY block DESC LIMIT 1), 0))
        ON CONFLICT (tbl, block) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posts_page_blocks_delete AFTER DELETE ON posts BEGIN
    UPDATE page_blocks SET n = n - 1 WHERE tbl = 'posts' AND block = OLD.id >> 10;
    UPDATE page_blocks SET before = before - 1 WHERE tbl = 'posts' AND block > OLD.id >> 10;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comments_page_blocks_insert AFTER INSERT ON comments BEGIN
    UPDATE page_blocks SET before = before + 1 WHERE tbl = 'comments' AND block > NEW.id >> 10;
    INSERT INTO page_blocks (tbl, block, n, before) VALUES ('comments', NEW.id >> 10, 1,
        coalesce((SELECT before + n FROM page_blocks WHERE tbl = 'comments' AND block < NEW.id >> 10
            ORDER BY block DESC LIMIT 1), 0))
        ON CONFLICT (tbl, block) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comments_page_blocks_delete AFTER DELETE ON comments BEGIN
    UPDATE page_blocks SET n = n - 1 WHERE tbl = 'comments' AND block = OLD.id >> 10;
    UPDATE page_blocks SET before = before - 1 WHERE tbl = 'comments' AND block > OLD.id >> 10;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER comments_page_blocks_delete;
DROP TRIGGER comments_page_blocks_insert;
DROP TRIGGER posts_page_blocks_delete;
DROP TRIGGER posts_page_blocks_insert;
DROP TRIGGER users_page_blocks_delete;
DROP TRIGGER users_page_blocks_insert;
DROP TABLE page_blocks;
