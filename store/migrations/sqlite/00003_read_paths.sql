-- Indexes for the hot read paths. Nothing here changes what the
-- API returns.
--
-- post_categories.user_id is the post's author, copied when a link is made
-- (store/post.go, linkCategories) so that "users with a post in category X"
-- (GET /users?category_id=X) reads a page of distinct users straight off
-- one index, at a cost that does not grow with the number of posts. A post
-- never changes author, and deleting a post or a user deletes its links, so
-- the copy cannot go stale.
--
-- posts_id_idx: GET /posts?skip=N walks N entries of this narrow index
-- instead of N whole rows of posts (titles and contents).

-- +goose Up
ALTER TABLE post_categories ADD COLUMN user_id INTEGER;
UPDATE post_categories SET user_id = (SELECT p.user_id FROM posts p WHERE p.id = post_categories.post_id);
CREATE INDEX post_categories_category_user_idx ON post_categories (category_id, user_id);
CREATE INDEX posts_id_idx ON posts (id);

-- +goose Down
DROP INDEX posts_id_idx;
DROP INDEX post_categories_category_user_idx;
ALTER TABLE post_categories DROP COLUMN user_id;
