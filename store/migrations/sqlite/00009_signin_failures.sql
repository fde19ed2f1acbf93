-- Failed sign-ins, in the database so that every blogd process that serves
-- it counts the same failures (the throttle of api/token.go): one row per
-- (username in lower case, client address), and one per username with the
-- address '' for its failures from every address. A window opens at the
-- first failure (first_at) and counts until it closes.

-- +goose Up
CREATE TABLE signin_failures (
    username TEXT      NOT NULL,
    addr     TEXT      NOT NULL,
    failures INTEGER   NOT NULL,
    first_at TIMESTAMP NOT NULL,
    PRIMARY KEY (username, addr)
) WITHOUT ROWID;
CREATE INDEX signin_failures_first_at_idx ON signin_failures (first_at);

-- +goose Down
DROP TABLE signin_failures;
