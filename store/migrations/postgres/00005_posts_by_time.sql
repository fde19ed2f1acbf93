-- Posts sorted by creation time (sort=created_at) page by keyset on
-- (created_at, id): this index serves both the order and the cursor's
-- start, so a page costs the same at any depth.

-- +goose Up
CREATE INDEX posts_created_at_idx ON posts (created_at, id);

-- +goose Down
DROP INDEX posts_created_at_idx;
