-- table_versions counts the changes to each table that relations embed,
-- moved by triggers in the writing transaction, for every writer (the
-- server, the command line, another process), foreign-key cascades
-- included. The store keeps the rows it embedded (store/embeds.go) and
-- serves them again only while the versions of the tables they came from
-- have not moved, so that a read never sees a row older than the last
-- write answered before it began. SQLite only: its writers take turns
-- anyway, while on PostgreSQL every writer to a table would wait on that
-- table's one row.

-- +goose Up
CREATE TABLE table_versions (
    name    TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO table_versions (name, version) VALUES
    ('users', 0),
    ('profiles', 0),
    ('posts', 0),
    ('comments', 0),
    ('categories', 0),
    ('post_categories', 0),
    ('roles', 0),
    ('user_roles', 0);

-- +goose StatementBegin
CREATE TRIGGER users_version_insert AFTER INSERT ON users BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'users';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_version_update AFTER UPDATE ON users BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'users';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_version_delete AFTER DELETE ON users BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'users';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER profiles_version_insert AFTER INSERT ON profiles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'profiles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER profiles_version_update AFTER UPDATE ON profiles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'profiles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER profiles_version_delete AFTER DELETE ON profiles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'profiles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_version_insert AFTER INSERT ON posts BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'posts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_version_update AFTER UPDATE ON posts BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'posts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_version_delete AFTER DELETE ON posts BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'posts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_version_insert AFTER INSERT ON comments BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'comments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_version_update AFTER UPDATE ON comments BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'comments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_version_delete AFTER DELETE ON comments BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'comments';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER categories_version_insert AFTER INSERT ON categories BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'categories';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER categories_version_update AFTER UPDATE ON categories BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'categories';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER categories_version_delete AFTER DELETE ON categories BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'categories';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER post_categories_version_insert AFTER INSERT ON post_categories BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'post_categories';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER post_categories_version_update AFTER UPDATE ON post_categories BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'post_categories';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER post_categories_version_delete AFTER DELETE ON post_categories BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'post_categories';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER roles_version_insert AFTER INSERT ON roles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'roles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER roles_version_update AFTER UPDATE ON roles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'roles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER roles_version_delete AFTER DELETE ON roles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'roles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_roles_version_insert AFTER INSERT ON user_roles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'user_roles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_roles_version_update AFTER UPDATE ON user_roles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'user_roles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_roles_version_delete AFTER DELETE ON user_roles BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'user_roles';
END;
-- +goose StatementEnd
-- +goose Down
DROP TRIGGER users_version_insert;
DROP TRIGGER users_version_update;
DROP TRIGGER users_version_delete;
DROP TRIGGER profiles_version_insert;
DROP TRIGGER profiles_version_update;
DROP TRIGGER profiles_version_delete;
DROP TRIGGER posts_version_insert;
DROP TRIGGER posts_version_update;
DROP TRIGGER posts_version_delete;
DROP TRIGGER comments_version_insert;
DROP TRIGGER comments_version_update;
DROP TRIGGER comments_version_delete;
DROP TRIGGER categories_version_insert;
DROP TRIGGER categories_version_update;
DROP TRIGGER categories_version_delete;
DROP TRIGGER post_categories_version_insert;
DROP TRIGGER post_categories_version_update;
DROP TRIGGER post_categories_version_delete;
DROP TRIGGER roles_version_insert;
DROP TRIGGER roles_version_update;
DROP TRIGGER roles_version_delete;
DROP TRIGGER user_roles_version_insert;
DROP TRIGGER user_roles_version_update;
DROP TRIGGER user_roles_version_delete;
DROP TABLE table_versions;
