package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/blogd/blogd"
)

const insertPost = "INSERT INTO posts (title, content, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id"

// postColumns are a post's columns plus its author's username: the author is
// eager-loaded by a JOIN (the guide's joinedload), since each post has one.
// plainPostColumns are a post's own columns; postColumns add its author's
// name.
const (
	plainPostColumns = "p.id, p.title, p.content, p.user_id, tstext(p.created_at), tstext(p.updated_at)"
	postColumns      = plainPostColumns + ", u.username"
)

func scanPostWithAuthor(rows *sql.Rows, p *blogd.PostWithRelations) error {
	return scanPostWithAuthorAnd(rows, p)
}

// scanPostWithAuthorAnd scans a row of postColumns into p, and the columns
// that follow them into more.
func scanPostWithAuthorAnd(rows *sql.Rows, p *blogd.PostWithRelations, more ...any) error {
	dest := append(make([]any, 0, 8), &p.ID, &p.Title, &p.Content, &p.UserID, ts(&p.CreatedAt), ts(&p.UpdatedAt), &p.Author.Username)
	err := rows.Scan(append(dest, more...)...)
	p.Author.ID = p.UserID
	return err
}

func scanPost(rows *sql.Rows, p *blogd.Post) error {
	return rows.Scan(&p.ID, &p.Title, &p.Content, &p.UserID, ts(&p.CreatedAt), ts(&p.UpdatedAt))
}

// Posts lists posts with author and categories eager-loaded: two
// statements whatever the page size.
func (s *Store) Posts(ctx context.Context, f blogd.PostFilter, p blogd.Page) (blogd.List[blogd.PostWithRelations], error) {
	l := listSpec{cols: postColumns, from: " FROM posts p JOIN users u ON u.id = p.user_id WHERE 1 = 1",
		id: "p.id", time: "p.created_at"}
	postFilters(f).narrow(&l, pagePosts)
	c := s.reader(ctx)
	posts, err := runList(ctx, c, l, p, scanPostWithAuthor)
	if err == nil {
		err = loadCategoryRefs(ctx, c, posts.Items, itself)
	}
	if err != nil {
		return posts, fmt.Errorf("list posts: %w", err)
	}
	return posts, nil
}

// Post returns one post with author and categories.
func (s *Store) Post(ctx context.Context, id int64) (blogd.PostWithRelations, error) {
	p, err := post(ctx, s.reader(ctx), id)
	if err != nil {
		return p, fmt.Errorf("get post %d: %w", id, err)
	}
	return p, nil
}

func post(ctx context.Context, c conn, id int64) (blogd.PostWithRelations, error) {
	posts, err := queryList(ctx, c, scanPostWithAuthor,
		"SELECT "+postColumns+" FROM posts p JOIN users u ON u.id = p.user_id WHERE p.id = ?", id)
	if err != nil {
		return blogd.PostWithRelations{}, err
	}
	if len(posts) == 0 {
		return blogd.PostWithRelations{}, notFound(tablePosts)
	}
	if err := loadCategoryRefs(ctx, c, posts, itself); err != nil {
		return blogd.PostWithRelations{}, err
	}
	return posts[0], nil
}

// loadCategoryRefs fills the categories of every post with one batched query
// (the guide's selectinload): the many-to-many relationship through
// post_categories. It orders by pc.category_id, which equals c.id, so that
// the links are read in primary-key order instead of being sorted.
// of(row) is the post of a row of posts.
func loadCategoryRefs[T any](ctx context.Context, c conn, posts []T, of func(*T) *blogd.PostWithRelations) error {
	if len(posts) == 0 {
		return nil
	}
	post := func(i int) *blogd.PostWithRelations { return of(&posts[i]) }
	ids := make([]int64, len(posts))
	byID := make(map[int64]*blogd.PostWithRelations, len(posts))
	lo, hi := post(0).ID, post(0).ID
	for i := range posts {
		p := post(i)
		ids[i] = p.ID
		lo, hi = min(lo, ids[i]), max(hi, ids[i])
		p.Categories = []blogd.CategoryRef{}
		byID[p.ID] = p
	}
	const cols = `SELECT pc.post_id, c.id, c.name FROM post_categories pc JOIN categories c ON c.id = pc.category_id `
	var rows *sql.Rows
	var err error
	if hi-lo < 2*int64(len(ids)) {
		// A page of (nearly) consecutive posts, as GET /posts and GET
		// /posts/{id} give: one range of the primary key, cheaper than
		// matching an id list; links of posts not in the page are skipped
		// below.
		rows, err = c.query(ctx, cols+`WHERE pc.post_id BETWEEN ? AND ?
			ORDER BY pc.post_id, pc.category_id`, lo, hi)
	} else {
		rows, err = c.query(ctx, cols+`WHERE pc.post_id IN (SELECT value FROM idtable(?))
			ORDER BY pc.post_id, pc.category_id`, c.d.ids(ids))
	}
	if err != nil {
		return fmt.Errorf("load categories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var postID int64
		var ref blogd.CategoryRef
		if err := rows.Scan(&postID, &ref.ID, &ref.Name); err != nil {
			return fmt.Errorf("load categories: %w", err)
		}
		if p := byID[postID]; p != nil {
			p.Categories = append(p.Categories, ref)
		}
	}
	return rows.Err()
}

// itself is the post of a row of posts that is one.
func itself(p *blogd.PostWithRelations) *blogd.PostWithRelations { return p }

// UserPosts lists a user's posts: the one-to-many relationship.
func (s *Store) UserPosts(ctx context.Context, userID int64, p blogd.Page) (blogd.List[blogd.Post], error) {
	posts, err := childList(ctx, s, tableUsers, userID, listSpec{cols: plainPostColumns,
		from: " FROM posts p WHERE p.user_id = ?", args: []any{userID}, id: "p.id", time: "p.created_at"}, p, scanPost)
	if err != nil {
		return posts, fmt.Errorf("list posts of user %d: %w", userID, err)
	}
	return posts, nil
}

// CategoryPosts lists the posts of a category: the other side of the
// many-to-many relationship.
func (s *Store) CategoryPosts(ctx context.Context, categoryID int64, p blogd.Page) (blogd.List[blogd.Post], error) {
	posts, err := childList(ctx, s, tableCategories, categoryID, listSpec{cols: plainPostColumns,
		from: " FROM post_categories pc JOIN posts p ON p.id = pc.post_id WHERE pc.category_id = ?",
		args: []any{categoryID}, id: "p.id", time: "p.created_at"}, p, scanPost)
	if err != nil {
		return posts, fmt.Errorf("list posts of category %d: %w", categoryID, err)
	}
	return posts, nil
}

// CreatePost inserts a post and its category links in one transaction.
func (s *Store) CreatePost(ctx context.Context, in blogd.PostCreate) (blogd.PostWithRelations, error) {
	now := s.timestamp()
	p := blogd.PostWithRelations{Post: blogd.Post{
		Title: in.Title, Content: in.Content, UserID: in.UserID, CreatedAt: now, UpdatedAt: now,
	}}
	err := s.inTx(ctx, func(c conn) error {
		ids := uniqueIDs(in.CategoryIDs)
		var err error
		if p.Author.Username, p.Categories, err = authorAndCategories(ctx, c, in.UserID, ids); err != nil {
			return err
		}
		p.Author.ID = in.UserID
		if _, err := c.queryRow(ctx, insertPost,
			[]any{p.Title, p.Content, p.UserID, now, now}, &p.ID); err != nil {
			return err
		}
		return linkCategories(ctx, c, p.ID, ids, p.CreatedAt)
	})
	if err != nil {
		return blogd.PostWithRelations{}, fmt.Errorf("create post: %w", err)
	}
	return p, nil
}

// authorAndCategories returns, in one statement, the name of user userID
// and the categories with the given (distinct) ids ordered by id, or a
// not-found error for the user, else for any missing category.
func authorAndCategories(ctx context.Context, c conn, userID int64, ids []int64) (string, []blogd.CategoryRef, error) {
	type row struct {
		username string
		id       sql.NullInt64
		name     sql.NullString
	}
	// One row per category found, or one with no category: none at all
	// when the user is missing.
	rows, err := queryList(ctx, c, func(rows *sql.Rows, r *row) error { return rows.Scan(&r.username, &r.id, &r.name) },
		`SELECT u.username, x.id, x.name FROM users u
		LEFT JOIN categories x ON x.id IN (SELECT value FROM idtable(?))
		WHERE u.id = ? ORDER BY x.id`, c.d.ids(ids), userID)
	if err != nil {
		return "", nil, err
	}
	if len(rows) == 0 {
		return "", nil, notFound(tableUsers)
	}
	refs := make([]blogd.CategoryRef, 0, len(ids))
	for _, r := range rows {
		if r.id.Valid {
			refs = append(refs, blogd.CategoryRef{ID: r.id.Int64, Name: r.name.String})
		}
	}
	if len(refs) != len(ids) {
		return "", nil, notFound(tableCategories)
	}
	return rows[0].username, refs, nil
}

// categoryRefs returns the categories with the given (distinct) ids ordered
// by id, or a not-found error when any of them is missing.
func categoryRefs(ctx context.Context, c conn, ids []int64) ([]blogd.CategoryRef, error) {
	if len(ids) == 0 {
		return []blogd.CategoryRef{}, nil
	}
	refs, err := queryList(ctx, c, func(rows *sql.Rows, r *blogd.CategoryRef) error {
		return rows.Scan(&r.ID, &r.Name)
	}, "SELECT id, name FROM categories WHERE id IN (SELECT value FROM idtable(?)) ORDER BY id", c.d.ids(ids))
	if err != nil {
		return nil, err
	}
	if len(refs) != len(ids) {
		return nil, notFound(tableCategories)
	}
	return refs, nil
}

// linkCategories links a post to categories, in one statement whatever
// their number; links that exist already keep their created_at. Each link
// also keeps the post's author (user_id), for the users-by-category index
// (migration 00003). PostgreSQL types the created_at placeholder by its
// target column, as it would in VALUES.
func linkCategories(ctx context.Context, c conn, postID int64, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	// SQLite needs the WHERE clause to read ON CONFLICT as the upsert's,
	// not as a join's ON.
	_, err := c.exec(ctx, `INSERT INTO post_categories (post_id, category_id, created_at, user_id)
		SELECT p.id, ids.value, ?, p.user_id FROM posts p, (SELECT value FROM idtable(?)) ids WHERE p.id = ?
		ON CONFLICT DO NOTHING`, at, c.d.ids(ids), postID)
	return err
}

// UpdatePost changes the given fields of a post. CategoryIDs, when given,
// replaces the set of categories; links that stay keep their created_at.
func (s *Store) UpdatePost(ctx context.Context, id int64, in blogd.PostUpdate) (blogd.PostWithRelations, error) {
	var out blogd.PostWithRelations
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		n, err := c.exec(ctx, "UPDATE posts SET title = COALESCE(?, title), content = COALESCE(?, content), updated_at = ? WHERE id = ?"+cond,
			append([]any{in.Title, in.Content, s.timestamp(), id}, condArgs...)...)
		if err != nil {
			return err
		}
		if n == 0 {
			return missingOrChanged(ctx, c, tablePosts, id)
		}
		if in.CategoryIDs != nil {
			ids := uniqueIDs(*in.CategoryIDs)
			if _, err := categoryRefs(ctx, c, ids); err != nil {
				return err
			}
			if _, err := c.exec(ctx, `DELETE FROM post_categories WHERE post_id = ?
				AND category_id NOT IN (SELECT value FROM idtable(?))`, id, c.d.ids(ids)); err != nil {
				return err
			}
			if err := linkCategories(ctx, c, id, ids, s.timestamp()); err != nil {
				return err
			}
		}
		out, err = post(ctx, c, id)
		return err
	})
	if err != nil {
		return blogd.PostWithRelations{}, fmt.Errorf("update post %d: %w", id, err)
	}
	return out, nil
}

// DeletePost deletes a post; its category links and comments go with it.
func (s *Store) DeletePost(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, tablePosts, id, deleteCommentsOf(commentsOfPost))
}

// PostCategories lists a post's categories with the association's
// created_at: the association entity's own data.
func (s *Store) PostCategories(ctx context.Context, postID int64, p blogd.Page) (blogd.List[blogd.LinkedCategory], error) {
	cats, err := childList(ctx, s, tablePosts, postID, listSpec{cols: namedColumns + ", pc.created_at",
		from: " FROM post_categories pc JOIN categories x ON x.id = pc.category_id WHERE pc.post_id = ?",
		args: []any{postID}, id: "pc.category_id"}, p, func(rows *sql.Rows, lc *blogd.LinkedCategory) error {
		return rows.Scan(append(categoryDest(&lc.Category), ts(&lc.LinkedAt))...)
	})
	if err != nil {
		return cats, fmt.Errorf("list categories of post %d: %w", postID, err)
	}
	return cats, nil
}

// AddPostCategory links a post to a category; linking twice is a no-op.
func (s *Store) AddPostCategory(ctx context.Context, postID, categoryID int64) (blogd.PostWithRelations, error) {
	var out blogd.PostWithRelations
	err := s.inTx(ctx, func(c conn) error {
		if err := mustExistBoth(ctx, c, tablePosts, postID, tableCategories, categoryID); err != nil {
			return err
		}
		now := s.timestamp()
		if err := linkCategories(ctx, c, postID, []int64{categoryID}, now); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE posts SET updated_at = ? WHERE id = ?", now, postID); err != nil {
			return err
		}
		var err error
		out, err = post(ctx, c, postID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("link post %d to category %d: %w", postID, categoryID, err)
	}
	return out, nil
}

// RemovePostCategory unlinks a post from a category.
func (s *Store) RemovePostCategory(ctx context.Context, postID, categoryID int64) error {
	err := s.unlink(ctx, "DELETE FROM post_categories WHERE post_id = ? AND category_id = ?",
		tablePosts, postID, tableCategories, categoryID, blogd.ErrCategoryNotAssigned)
	if err == nil {
		// A post's categories are part of it: its version changes.
		err = s.inTx(ctx, func(c conn) error {
			_, err := c.exec(ctx, "UPDATE posts SET updated_at = ? WHERE id = ?", s.timestamp(), postID)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("unlink post %d from category %d: %w", postID, categoryID, err)
	}
	return nil
}

// unlink deletes the link row of a many-to-many relationship between id1 of
// table1 and id2 of table2. When there is none, it says why: a missing end
// (not found), or notLinked.
func (s *Store) unlink(ctx context.Context, deleteLink, table1 string, id1 int64, table2 string, id2 int64, notLinked error) error {
	return s.inTx(ctx, func(c conn) error {
		n, err := c.exec(ctx, deleteLink, id1, id2)
		if err != nil || n > 0 {
			return err
		}
		if err := mustExistBoth(ctx, c, table1, id1, table2, id2); err != nil {
			return err
		}
		return notLinked
	})
}

// mustExistBoth checks the two ends of a link in one statement, the first
// one first.
func mustExistBoth(ctx context.Context, c conn, table1 string, id1 int64, table2 string, id2 int64) error {
	var a, b sql.NullInt64
	if _, err := c.queryRow(ctx, "SELECT (SELECT 1 FROM "+table1+" WHERE id = ?), (SELECT 1 FROM "+table2+" WHERE id = ?)",
		[]any{id1, id2}, &a, &b); err != nil {
		return err
	}
	if !a.Valid {
		return notFound(table1)
	}
	if !b.Valid {
		return notFound(table2)
	}
	return nil
}

// PostAuthor returns the user_id of a post.
func (s *Store) PostAuthor(ctx context.Context, postID int64) (int64, error) {
	return s.ownerOf(ctx, tablePosts, postID)
}

// postFilters are the conditions of a post filter, on posts p.
func postFilters(f blogd.PostFilter) *filters {
	var fs filters
	fs.add(f.UserID, "p.user_id = ?")
	fs.add(f.CategoryID, "p.id IN (SELECT pc.post_id FROM post_categories pc WHERE pc.category_id = ?)")
	return &fs
}

// PostsOnly lists posts without their author and categories, in one
// statement: for reads whose include says what to embed instead.
func (s *Store) PostsOnly(ctx context.Context, f blogd.PostFilter, p blogd.Page) (blogd.List[blogd.Post], error) {
	l := listSpec{cols: plainPostColumns, from: " FROM posts p WHERE 1 = 1", id: "p.id", time: "p.created_at"}
	postFilters(f).narrow(&l, pagePosts)
	posts, err := runList(ctx, s.reader(ctx), l, p, scanPost)
	if err != nil {
		return posts, fmt.Errorf("list posts: %w", err)
	}
	return posts, nil
}

// PostOnly returns one post without its author and categories.
func (s *Store) PostOnly(ctx context.Context, id int64) (blogd.Post, error) {
	posts, err := queryList(ctx, s.reader(ctx), scanPost, "SELECT "+plainPostColumns+" FROM posts p WHERE p.id = ?", id)
	if err != nil {
		return blogd.Post{}, fmt.Errorf("get post %d: %w", id, err)
	}
	if len(posts) == 0 {
		return blogd.Post{}, notFound(tablePosts)
	}
	return posts[0], nil
}
