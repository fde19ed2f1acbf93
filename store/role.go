package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/blogd/blogd"
)

// CreateRole inserts a role; a taken name is a conflict.
func (s *Store) CreateRole(ctx context.Context, in blogd.RoleCreate) (blogd.Role, error) {
	c, err := s.createNamed(ctx, tableRoles, blogd.CategoryCreate(in))
	return blogd.Role(c), err
}

// Role returns one role.
func (s *Store) Role(ctx context.Context, id int64) (blogd.Role, error) {
	c, err := s.getNamed(ctx, tableRoles, id)
	return blogd.Role(c), err
}

// Roles lists roles.
func (s *Store) Roles(ctx context.Context, p blogd.Page) (blogd.List[blogd.Role], error) {
	cs, err := s.listNamed(ctx, tableRoles, p)
	return blogd.List[blogd.Role]{Items: asRoles(cs.Items), More: cs.More, Total: cs.Total}, err
}

// UpdateRole changes the given fields of a role.
func (s *Store) UpdateRole(ctx context.Context, id int64, in blogd.RoleUpdate) (blogd.Role, error) {
	c, err := s.updateNamed(ctx, tableRoles, id, blogd.CategoryUpdate(in), keepBuiltinRole(in.Name))
	return blogd.Role(c), err
}

// DeleteRole deletes a role; the users stay, their links to it go.
func (s *Store) DeleteRole(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, tableRoles, id, keepBuiltinRole(nil))
}

// keepBuiltinRole refuses, in the transaction of the change, to delete a
// built-in role (rename nil) or to give it another name: blogd finds its
// admins and moderators by these names, and an admin who renamed "admin"
// would lock every admin out, himself included.
func keepBuiltinRole(rename *string) beforeWrite {
	return func(ctx context.Context, c conn, id int64) error {
		var name string
		ok, err := c.queryRow(ctx, "SELECT name FROM roles WHERE id = ?", []any{id}, &name)
		if err != nil || !ok {
			return err // a missing role is reported by the change itself
		}
		if blogd.IsBuiltinRole(name) && (rename == nil || *rename != name) {
			return blogd.ErrBuiltinRole
		}
		return nil
	}
}

func asRoles(cs []blogd.Category) []blogd.Role {
	if cs == nil {
		return nil
	}
	out := make([]blogd.Role, len(cs))
	for i, c := range cs {
		out[i] = blogd.Role(c)
	}
	return out
}

func scanRole(rows *sql.Rows, r *blogd.Role) error {
	return rows.Scan(&r.ID, &r.Name, &r.Description, ts(&r.UpdatedAt))
}

// userRoles lists a user's roles: the many-to-many relationship through
// user_roles.
func userRoles(ctx context.Context, c conn, userID int64, p blogd.Page) (blogd.List[blogd.Role], error) {
	return runList(ctx, c, listSpec{cols: namedColumns,
		from: " FROM user_roles ur JOIN roles x ON x.id = ur.role_id WHERE ur.user_id = ?", args: []any{userID},
		id: "x.id"}, p, scanRole)
}

// UserRoles lists a user's roles.
func (s *Store) UserRoles(ctx context.Context, userID int64, p blogd.Page) (blogd.List[blogd.Role], error) {
	c := s.reader(ctx)
	roles, err := nestedList(ctx, c, tableUsers, userID, func() (blogd.List[blogd.Role], error) {
		return userRoles(ctx, c, userID, p)
	})
	if err != nil {
		return roles, fmt.Errorf("list roles of user %d: %w", userID, err)
	}
	return roles, nil
}

// RoleUsers lists the users who hold a role.
func (s *Store) RoleUsers(ctx context.Context, roleID int64, p blogd.Page) (blogd.List[blogd.User], error) {
	users, err := childList(ctx, s, tableRoles, roleID, listSpec{cols: userColumns,
		from: " FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.role_id = ?", args: []any{roleID},
		id: "u.id"}, p, scanUser)
	if err != nil {
		return users, fmt.Errorf("list users of role %d: %w", roleID, err)
	}
	return users, nil
}

// maxRolesPerUser bounds the role list returned after an assignment.
const maxRolesPerUser = 1000

// AssignRole gives a user a role; assigning it twice is a no-op. It returns
// the user's roles.
func (s *Store) AssignRole(ctx context.Context, userID, roleID int64) ([]blogd.Role, error) {
	var roles []blogd.Role
	err := s.inTx(ctx, func(c conn) error {
		if err := mustExistBoth(ctx, c, tableUsers, userID, tableRoles, roleID); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
			userID, roleID); err != nil {
			return err
		}
		var err error
		l, err := userRoles(ctx, c, userID, blogd.Page{Limit: maxRolesPerUser})
		roles = l.Items
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assign role %d to user %d: %w", roleID, userID, err)
	}
	return roles, nil
}

// UnassignRole takes a role from a user.
func (s *Store) UnassignRole(ctx context.Context, userID, roleID int64) error {
	err := s.unlink(ctx, "DELETE FROM user_roles WHERE user_id = ? AND role_id = ?",
		tableUsers, userID, tableRoles, roleID, blogd.ErrRoleNotAssigned)
	if err != nil {
		return fmt.Errorf("unassign role %d from user %d: %w", roleID, userID, err)
	}
	return nil
}
