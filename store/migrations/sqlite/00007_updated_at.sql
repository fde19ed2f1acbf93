-- updated_at on every resource a client edits: set on create and on every
-- change, it is the version that conditional writes (If-Match) compare and
-- swap. Existing rows start at their created_at, or now where there is none.

-- +goose Up
ALTER TABLE users ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE users SET updated_at = created_at;
ALTER TABLE posts ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE posts SET updated_at = created_at;
ALTER TABLE comments ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE comments SET updated_at = created_at;
ALTER TABLE profiles ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE profiles SET updated_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now');
ALTER TABLE categories ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE categories SET updated_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now');
ALTER TABLE roles ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00+00:00';
UPDATE roles SET updated_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now');

-- +goose Down
ALTER TABLE roles DROP COLUMN updated_at;
ALTER TABLE categories DROP COLUMN updated_at;
ALTER TABLE profiles DROP COLUMN updated_at;
ALTER TABLE comments DROP COLUMN updated_at;
ALTER TABLE posts DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN updated_at;
