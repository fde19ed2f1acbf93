package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/blogd/blogd"
)

const insertComment = `INSERT INTO comments (content, post_id, user_id, parent_id, created_at)
	VALUES (?, ?, ?, ?, ?) RETURNING id`

const commentColumns = "c.id, c.content, c.post_id, c.user_id, c.parent_id, tstext(c.created_at)"

func scanComment(rows *sql.Rows, cm *blogd.Comment) error {
	return rows.Scan(&cm.ID, &cm.Content, &cm.PostID, &cm.UserID, &cm.ParentID, ts(&cm.CreatedAt))
}

// CreateComment inserts a comment on a post, optionally as a reply to
// another comment of the same post.
func (s *Store) CreateComment(ctx context.Context, in blogd.CommentCreate) (blogd.Comment, error) {
	cm := blogd.Comment{Content: in.Content, PostID: in.PostID, UserID: in.UserID, ParentID: in.ParentID, CreatedAt: s.timestamp()}
	err := s.inTx(ctx, func(c conn) error {
		// One statement checks the post, the user and the parent.
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
			return &blogd.Error{Kind: blogd.KindNotFound, Detail: "Parent comment not found"}
		case in.ParentID != nil && parentPost.Int64 != in.PostID:
			return &blogd.Error{Kind: blogd.KindInvalid, Detail: "Parent comment belongs to a different post"}
		}
		_, err := c.queryRow(ctx, insertComment,
			[]any{cm.Content, cm.PostID, cm.UserID, cm.ParentID, cm.CreatedAt}, &cm.ID)
		return err
	})
	if err != nil {
		return blogd.Comment{}, fmt.Errorf("create comment: %w", err)
	}
	return cm, nil
}

// Comment returns one comment.
func (s *Store) Comment(ctx context.Context, id int64) (blogd.Comment, error) {
	cms, err := queryList(ctx, s.reader(), scanComment, "SELECT "+commentColumns+" FROM comments c WHERE c.id = ?", id)
	if err != nil {
		return blogd.Comment{}, fmt.Errorf("get comment %d: %w", id, err)
	}
	if len(cms) == 0 {
		return blogd.Comment{}, notFound(tableComments)
	}
	return cms[0], nil
}

// Comments lists every comment by id.
func (s *Store) Comments(ctx context.Context, p blogd.Page) ([]blogd.Comment, error) {
	c := s.reader()
	cms, err := queryList(ctx, c, scanComment, c.d.pageIDs(tableComments)+"SELECT "+commentColumns+
		" FROM comments c WHERE c.id IN (SELECT id FROM page_ids) ORDER BY c.id", pageArgs(p)...)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return cms, nil
}

// PostComments lists every comment of a post, flat, by id.
func (s *Store) PostComments(ctx context.Context, postID int64, p blogd.Page) ([]blogd.Comment, error) {
	c := s.reader()
	cms, err := nestedList(ctx, c, tablePosts, postID, func() ([]blogd.Comment, error) {
		return queryList(ctx, c, scanComment, "SELECT "+commentColumns+
			" FROM comments c WHERE c.post_id = ? ORDER BY c.id LIMIT ? OFFSET ?", pageArgs(p, postID)...)
	})
	if err != nil {
		return nil, fmt.Errorf("list comments of post %d: %w", postID, err)
	}
	return cms, nil
}

// Replies lists the direct replies to a comment.
func (s *Store) Replies(ctx context.Context, commentID int64, p blogd.Page) ([]blogd.Comment, error) {
	c := s.reader()
	cms, err := nestedList(ctx, c, tableComments, commentID, func() ([]blogd.Comment, error) {
		return queryList(ctx, c, scanComment, "SELECT "+commentColumns+
			" FROM comments c WHERE c.parent_id = ? ORDER BY c.id LIMIT ? OFFSET ?", pageArgs(p, commentID)...)
	})
	if err != nil {
		return nil, fmt.Errorf("list replies to comment %d: %w", commentID, err)
	}
	return cms, nil
}

// CommentTree returns a page of a post's top-level comments, each with its
// whole reply tree. One recursive query reads every comment of the page's
// threads, however deep or wide; the tree is assembled in memory.
func (s *Store) CommentTree(ctx context.Context, postID int64, p blogd.Page) ([]*blogd.CommentThread, error) {
	c := s.reader()
	cms, err := nestedList(ctx, c, tablePosts, postID, func() ([]blogd.Comment, error) {
		return queryList(ctx, c, scanComment, `WITH RECURSIVE
			top(id) AS (
				SELECT id FROM comments WHERE post_id = ? AND parent_id IS NULL ORDER BY id LIMIT ? OFFSET ?),
			thread(id) AS (
				SELECT id FROM top
				UNION ALL
				SELECT r.id FROM comments r JOIN thread t ON r.parent_id = t.id)
			SELECT `+commentColumns+` FROM thread t JOIN comments c ON c.id = t.id ORDER BY c.id`,
			pageArgs(p, postID)...)
	})
	if err != nil {
		return nil, fmt.Errorf("comment tree of post %d: %w", postID, err)
	}
	return buildThreads(cms), nil
}

// buildThreads nests comments under their parents. A reply is created after
// its parent, so in id order every parent comes before its replies.
func buildThreads(cms []blogd.Comment) []*blogd.CommentThread {
	nodes := make([]blogd.CommentThread, len(cms))
	byID := make(map[int64]*blogd.CommentThread, len(cms))
	roots := []*blogd.CommentThread{}
	for i := range cms {
		n := &nodes[i]
		n.Comment = cms[i]
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
	err := s.inTx(ctx, func(c conn) error {
		ok, err := c.queryRow(ctx, `UPDATE comments SET content = COALESCE(?, content) WHERE id = ?
			RETURNING id, content, post_id, user_id, parent_id, created_at`, []any{in.Content, id},
			&cm.ID, &cm.Content, &cm.PostID, &cm.UserID, &cm.ParentID, ts(&cm.CreatedAt))
		if err == nil && !ok {
			err = notFound(tableComments)
		}
		return err
	})
	if err != nil {
		return blogd.Comment{}, fmt.Errorf("update comment %d: %w", id, err)
	}
	return cm, nil
}

// DeleteComment deletes a comment and, by cascade, its whole reply subtree.
func (s *Store) DeleteComment(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, tableComments, id)
}
