-- Indexes for the hot read paths, as in
-- store/migrations/sqlite/00003_read_paths.sql. Nothing here changes what the
-- API returns.
--
-- post_categories.user_id is the post's author, copied when a link is made
-- (store/post.go, linkCategories), so that "users with a post in category X"
-- reads a page of distinct users straight off one index. A post never
-- changes author, and deleting a post or a user deletes its links, so the
-- copy cannot go stale. (PostgreSQL pages posts by skipping entries of the
-- primary key's index, so it needs no posts_id_idx.)

-- +goose Up
ALTER TABLE post_categories ADD COLUMN user_id BIGINT;
UPDATE post_categories pc SET user_id = p.user_id FROM posts p WHERE p.id = pc.post_id;
CREATE INDEX post_categories_category_user_idx ON post_categories (category_id, user_id);

-- +goose Down
DROP INDEX post_categories_category_user_idx;
ALTER TABLE post_categories DROP COLUMN user_id;
