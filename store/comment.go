package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/blogd/blogd"
)

const insertComment = `INSERT INTO comments (content, post_id, user_id, parent_id, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?) RETURNING id`

const commentColumns = "c.id, c.content, c.post_id, c.user_id, c.parent_id, tstext(c.created_at), tstext(c.updated_at)"

func scanComment(rows *sql.Rows, cm *blogd.Comment) error {
	return rows.Scan(commentDest(cm)...)
}

// commentDest is where a row of commentColumns is scanned into.
func commentDest(cm *blogd.Comment) []any {
	return []any{&cm.ID, &cm.Content, &cm.PostID, &cm.UserID, &cm.ParentID, ts(&cm.CreatedAt), ts(&cm.UpdatedAt)}
}

// CreateComment inserts a comment on a post, optionally as a reply to
// another comment of the same post.
func (s *Store) CreateComment(ctx context.Context, in blogd.CommentCreate) (blogd.Comment, error) {
	now := s.timestamp()
	cm := blogd.Comment{Content: in.Content, PostID: in.PostID, UserID: in.UserID, ParentID: in.ParentID, CreatedAt: now, UpdatedAt: now}
	err := s.inStatement(ctx, func(c conn) error {
		ok, err := c.queryRow(ctx, insertCheckedComment,
			[]any{cm.Content, now, now, in.UserID, in.ParentID, in.PostID, in.ParentID}, &cm.ID)
		if err != nil || ok {
			return err
		}
		return whyNoComment(ctx, c, in)
	})
	if err != nil {
		return blogd.Comment{}, fmt.Errorf("create comment: %w", err)
	}
	return cm, nil
}

// insertCheckedComment inserts a comment only when its post and its author
// exist and its parent, if any, is a comment of the same post: a comment
// is written in one statement, and whyNoComment is asked only when it
// inserts nothing. The arguments are the content, created_at, updated_at,
// the author, the parent, the post and the parent again.
const insertCheckedComment = `INSERT INTO comments (content, post_id, user_id, parent_id, created_at, updated_at)
	SELECT ?, p.id, u.id, x.id, ?, ? FROM posts p JOIN users u ON u.id = ? LEFT JOIN comments x ON x.id = ?
	WHERE p.id = ? AND (x.id IS NULL OR x.post_id = p.id) AND (x.id IS NOT NULL OR CAST(? AS BIGINT) IS NULL)
	RETURNING id`

// whyNoComment is the error of a comment that insertCheckedComment did not
// insert: its post, its author or its parent is missing, or the parent is
// on another post. On PostgreSQL another transaction may have changed
// them between the two statements; that is ErrReferenceGone.
func whyNoComment(ctx context.Context, c conn, in blogd.CommentCreate) error {
	var post, user, parentPost sql.NullInt64
	if _, err := c.queryRow(ctx, `SELECT (SELECT 1 FROM posts WHERE id = ?), (SELECT 1 FROM users WHERE id = ?),
		(SELECT post_id FROM comments WHERE id = ?)`,
		[]any{in.PostID, in.UserID, in.ParentID}, &post, &user, &parentPost); err != nil {
		return err
	}
	switch {
	case !post.Valid:
		return notFound(tablePosts)
	case !user.Valid:
		return notFound(tableUsers)
	case in.ParentID != nil && !parentPost.Valid:
		return blogd.ErrParentNotFound
	case in.ParentID != nil && parentPost.Int64 != in.PostID:
		return blogd.ErrParentOnOtherPost
	}
	return blogd.ErrReferenceGone
}

// Comment returns one comment.
func (s *Store) Comment(ctx context.Context, id int64) (blogd.Comment, error) {
	cms, err := queryList(ctx, s.reader(ctx), scanComment, "SELECT "+commentColumns+" FROM comments c WHERE c.id = ?", id)
	if err != nil {
		return blogd.Comment{}, fmt.Errorf("get comment %d: %w", id, err)
	}
	if len(cms) == 0 {
		return blogd.Comment{}, notFound(tableComments)
	}
	return cms[0], nil
}

// Comments lists every comment.
func (s *Store) Comments(ctx context.Context, p blogd.Page) (blogd.List[blogd.Comment], error) {
	cms, err := runList(ctx, s.reader(ctx), listSpec{cols: commentColumns, from: " FROM comments c WHERE 1 = 1",
		id: "c.id", whole: pageComments}, p, scanComment)
	if err != nil {
		return cms, fmt.Errorf("list comments: %w", err)
	}
	return cms, nil
}

// PostComments lists every comment of a post, flat.
func (s *Store) PostComments(ctx context.Context, postID int64, p blogd.Page) (blogd.List[blogd.Comment], error) {
	cms, err := childList(ctx, s, tablePosts, postID, listSpec{cols: commentColumns, from: " FROM comments c WHERE c.post_id = ?",
		args: []any{postID}, id: "c.id"}, p, scanComment)
	if err != nil {
		return cms, fmt.Errorf("list comments of post %d: %w", postID, err)
	}
	return cms, nil
}

// Replies lists the direct replies to a comment.
func (s *Store) Replies(ctx context.Context, commentID int64, p blogd.Page) (blogd.List[blogd.Comment], error) {
	cms, err := childList(ctx, s, tableComments, commentID, listSpec{cols: commentColumns, from: " FROM comments c WHERE c.parent_id = ?",
		args: []any{commentID}, id: "c.id"}, p, scanComment)
	if err != nil {
		return cms, fmt.Errorf("list replies to comment %d: %w", commentID, err)
	}
	return cms, nil
}

// CommentTree returns a page of a post's top-level comments, each with its
// reply tree down to depth levels (the top level is level 1). One recursive
// query reads every comment of the page's threads, however wide; the tree is
// assembled in memory. A comment on the last level served that has replies
// is marked MoreReplies.
func (s *Store) CommentTree(ctx context.Context, postID int64, p blogd.Page, depth int) (blogd.List[*blogd.CommentThread], error) {
	c := s.reader(ctx)
	cond, condArgs, tail, tailArgs := pageSQL(p, "id", "created_at", "")
	if cond != "" {
		cond = " AND " + cond
	}
	var out blogd.List[*blogd.CommentThread]
	_, err := nestedList(ctx, c, tablePosts, postID, func() (blogd.List[blogd.CommentThread], error) {
		cms, err := queryList(ctx, c, func(rows *sql.Rows, t *blogd.CommentThread) error {
			return rows.Scan(append(commentDest(&t.Comment), &t.MoreReplies)...)
		}, `WITH RECURSIVE
			top(id) AS (
				SELECT id FROM comments WHERE post_id = ? AND parent_id IS NULL`+cond+tail+`),
			thread(id, depth) AS (
				SELECT id, 1 FROM top
				UNION ALL
				SELECT r.id, t.depth + 1 FROM comments r JOIN thread t ON r.parent_id = t.id WHERE t.depth < ?)
			SELECT `+commentColumns+`,
				t.depth = ? AND EXISTS (SELECT 1 FROM comments x WHERE x.parent_id = c.id)
			FROM thread t JOIN comments c ON c.id = t.id ORDER BY c.id`,
			append(append(append([]any{postID}, condArgs...), tailArgs...), depth, depth)...)
		if err != nil {
			return blogd.List[blogd.CommentThread]{}, err
		}
		roots := buildThreads(cms)
		if p.Sort.Desc() {
			slices.Reverse(roots)
		}
		out = pageOf(roots, p)
		return blogd.List[blogd.CommentThread]{Items: cms}, nil
	})
	if err != nil {
		return out, fmt.Errorf("comment tree of post %d: %w", postID, err)
	}
	if p.Count {
		if _, err := c.queryRow(ctx, "SELECT count(*) FROM comments WHERE post_id = ? AND parent_id IS NULL",
			[]any{postID}, &out.Total); err != nil {
			return out, fmt.Errorf("count threads of post %d: %w", postID, err)
		}
	}
	return out, nil
}

// buildThreads nests comments under their parents. A reply is created after
// its parent, so in id order every parent comes before its replies.
func buildThreads(nodes []blogd.CommentThread) []*blogd.CommentThread {
	byID := make(map[int64]*blogd.CommentThread, len(nodes))
	roots := []*blogd.CommentThread{}
	for i := range nodes {
		n := &nodes[i]
		n.Replies = []*blogd.CommentThread{}
		byID[n.ID] = n
		if n.ParentID == nil {
			roots = append(roots, n)
		} else if parent := byID[*n.ParentID]; parent != nil {
			parent.Replies = append(parent.Replies, n)
		}
	}
	return roots
}

// UpdateComment changes a comment's content.
func (s *Store) UpdateComment(ctx context.Context, id int64, in blogd.CommentUpdate) (blogd.Comment, error) {
	var cm blogd.Comment
	cond, condArgs := unchanged(ctx, "updated_at")
	err := s.inTx(ctx, func(c conn) error {
		ok, err := c.queryRow(ctx, `UPDATE comments SET content = COALESCE(?, content), updated_at = ? WHERE id = ?`+cond+`
			RETURNING id, content, post_id, user_id, parent_id, created_at, updated_at`,
			append([]any{in.Content, s.timestamp(), id}, condArgs...), commentDest(&cm)...)
		if err == nil && !ok {
			err = missingOrChanged(ctx, c, tableComments, id)
		}
		return err
	})
	if err != nil {
		return blogd.Comment{}, fmt.Errorf("update comment %d: %w", id, err)
	}
	return cm, nil
}

// DeleteComment deletes a comment and its whole reply subtree.
func (s *Store) DeleteComment(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, tableComments, id, deleteCommentsOf(commentSubtree))
}

// The roots of the comment trees that a delete removes, each selected by the
// id of the deleted row: a comment's own subtree; every comment of a post;
// a user's comments (and the replies below them, on any post) and every
// comment on the user's posts.
const (
	commentSubtree = "SELECT id FROM comments WHERE id = ?"
	commentsOfPost = "SELECT id FROM comments WHERE post_id = ? AND parent_id IS NULL"
	commentsOfUser = `SELECT id FROM comments WHERE user_id = ?
		UNION SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.user_id = ? AND c.parent_id IS NULL`
)

// deleteCommentsOf returns the step of a delete that removes the replies
// below the roots that rootsQuery selects (see deleteComments).
func deleteCommentsOf(rootsQuery string) beforeWrite {
	return func(ctx context.Context, c conn, id int64) error {
		return deleteComments(ctx, c, rootsQuery, id)
	}
}

// deleteComments deletes every reply below the roots that rootsQuery
// selects with id (every ? of rootsQuery is id); the roots themselves go
// with the row being deleted, by its foreign-key cascade. Left to the
// foreign keys, a reply chain would be deleted one level at a time, and
// SQLite stops a cascade 1,000 levels deep ("too many levels of trigger
// recursion"), a chain any user can build. So the replies are first
// detached, each one's parent_id cleared in one statement, then deleted by
// id: a delete costs the same few statements at any depth, on both
// databases.
func deleteComments(ctx context.Context, c conn, rootsQuery string, id int64) error {
	rows, err := c.query(ctx, `WITH RECURSIVE doomed(id) AS (
			SELECT id FROM comments WHERE parent_id IN (`+rootsQuery+`)
			UNION SELECT r.id FROM comments r JOIN doomed d ON r.parent_id = d.id)
		UPDATE comments SET parent_id = NULL
		WHERE parent_id IS NOT NULL AND id IN (SELECT id FROM doomed) RETURNING id`,
		slices.Repeat([]any{id}, strings.Count(rootsQuery, "?"))...)
	if err != nil {
		return fmt.Errorf("flatten comment trees: %w", err)
	}
	ids, err := collect(rows, func(rows *sql.Rows, id *int64) error { return rows.Scan(id) })
	if err != nil || len(ids) == 0 {
		return err
	}
	if _, err := c.exec(ctx, "DELETE FROM comments WHERE id IN (SELECT value FROM idtable(?))", c.d.ids(ids)); err != nil {
		return fmt.Errorf("delete replies: %w", err)
	}
	return nil
}

// CommentAuthor returns the user_id of a comment.
func (s *Store) CommentAuthor(ctx context.Context, commentID int64) (int64, error) {
	return s.ownerOf(ctx, tableComments, commentID)
}

// UserComments lists a user's comments, on any post.
func (s *Store) UserComments(ctx context.Context, userID int64, p blogd.Page) (blogd.List[blogd.Comment], error) {
	cms, err := childList(ctx, s, tableUsers, userID, listSpec{cols: commentColumns, from: " FROM comments c WHERE c.user_id = ?",
		args: []any{userID}, id: "c.id"}, p, scanComment)
	if err != nil {
		return cms, fmt.Errorf("list comments of user %d: %w", userID, err)
	}
	return cms, nil
}
