-- Accounts: a password hash per user, and bearer tokens. A token is stored
-- only as the SHA-256 of its value; deleting the user deletes its tokens.

-- +goose Up
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_user_id_idx ON tokens (user_id);

-- +goose Down
DROP TABLE tokens;
ALTER TABLE users DROP COLUMN password_hash;
