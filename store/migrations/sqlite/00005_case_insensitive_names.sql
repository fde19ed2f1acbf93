-- Usernames and emails are unique whatever their case: Ada and ada are one
-- name, ALICE@example.com and alice@example.com one address. Emails are
-- stored in lower case (blogd.NormalizeEmail), so their UNIQUE constraint
-- already compares them so; usernames keep the case their owner typed and
-- are compared through this index on lower(username). Usernames are ASCII
-- (their pattern), where SQLite's and PostgreSQL's lower() agree.
-- A database that already holds two names differing only in case stops
-- here, with the constraint's error: rename one, then start blogd again.

-- +goose Up
UPDATE users SET email = lower(email) WHERE email <> lower(email);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));

-- +goose Down
DROP INDEX users_username_lower_key;
