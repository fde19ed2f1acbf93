-- The schema of the guide, as store/migrations/sqlite/00001_schema.sql, in
-- PostgreSQL's types. Every foreign key is indexed (the primary key of an
-- association table indexes its first column) and says what a delete does.

-- +goose Up
CREATE TABLE users (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username   TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,
    email      TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

-- one-to-one: UNIQUE(user_id) makes it one profile per user.
CREATE TABLE profiles (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id  BIGINT NOT NULL CONSTRAINT profiles_user_id_key UNIQUE
             REFERENCES users (id) ON DELETE CASCADE,
    bio      TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT ''
);

CREATE TABLE categories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT categories_name_key UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE roles (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT roles_name_key UNIQUE,
    description TEXT NOT NULL DEFAULT ''
);

-- one-to-many: a user's posts.
CREATE TABLE posts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_user_id_idx ON posts (user_id);

-- many-to-many through an association entity that carries its own data.
CREATE TABLE post_categories (
    post_id     BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, category_id)
);
CREATE INDEX post_categories_category_id_idx ON post_categories (category_id, post_id);

-- many-to-many, a plain link table.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_id_idx ON user_roles (role_id, user_id);

-- one-to-many from posts and users, and self-referential through parent_id:
-- deleting a comment deletes its whole reply subtree.
CREATE TABLE comments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content    TEXT NOT NULL,
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id  BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_post_id_idx ON comments (post_id, parent_id);
CREATE INDEX comments_user_id_idx ON comments (user_id);
CREATE INDEX comments_parent_id_idx ON comments (parent_id);

-- +goose Down
DROP TABLE comments;
DROP TABLE user_roles;
DROP TABLE post_categories;
DROP TABLE posts;
DROP TABLE roles;
DROP TABLE categories;
DROP TABLE profiles;
DROP TABLE users;
