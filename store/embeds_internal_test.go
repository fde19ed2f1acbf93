package store

import (
	"math/rand/v2"
	"testing"

	"github.com/blogd/blogd"
)

// The cache keeps rows while reads come back to them, and drops them and
// rests when the reads range wider than it can hold, then tries again.
func TestEmbedCacheJudgesItself(t *testing.T) {
	rel, _ := RelationOf(ResourcePost, "comments")
	row := &Embedded{Rows: []blogd.Keyed{blogd.Comment{ID: 1, Content: "x"}}}
	const bytes = 100 << 10
	perEntry := embedEntryBytes(embedKey{}, embedEntry{e: row})
	fits := int64(bytes / perEntry) // ids the cache can hold

	// readOf embeds relation rel for 20 random ids below n, as a page
	// does, keeping what it lacked, and returns how many ids it found.
	readOf := func(c *embedCache, rel Relation, n int64) int {
		var ids []int64 // 20 ids, each once, as Embed asks
		for seen := map[int64]bool{}; len(ids) < 20; {
			if id := 1 + rand.Int64N(n); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		kept, _, missing := c.lookup(rel, ids, 10)
		byID := map[int64]*Embedded{}
		for _, id := range missing {
			byID[id] = row
		}
		c.keep(rel, 10, 0, byID)
		return len(kept)
	}
	read := func(c *embedCache, n int64) int { return readOf(c, rel, n) }

	t.Run("reads within its size", func(t *testing.T) {
		c := newEmbedCache(bytes)
		for range 20 * embedWindow {
			read(c, fits)
		}
		if c.judgmentOf(rel.path()).resting > 0 || c.kept.Len() == 0 {
			t.Fatalf("resting %d with %d entries, for reads it can hold", c.judgmentOf(rel.path()).resting, c.kept.Len())
		}
		found := 0
		for range 100 {
			found += read(c, fits)
		}
		if found < 1600 {
			t.Errorf("found %d of 2,000 ids, want 1,600 or more", found)
		}
	})
	t.Run("reads ten times wider", func(t *testing.T) {
		c := newEmbedCache(bytes)
		for i := 0; c.judgmentOf(rel.path()).resting == 0; i++ {
			if i > 20*embedWindow {
				t.Fatal("never rested")
			}
			read(c, fits*10)
		}
		if c.kept.Len() != 0 {
			t.Errorf("resting with %d entries kept", c.kept.Len())
		}
		if found := read(c, fits*10); found != 0 || c.kept.Len() != 0 {
			t.Errorf("resting, it found %d ids and keeps %d", found, c.kept.Len())
		}
		// After its rest it keeps rows again.
		for c.judgmentOf(rel.path()).resting > 0 {
			read(c, fits*10)
		}
		read(c, fits*10)
		if c.kept.Len() == 0 {
			t.Error("after its rest it keeps nothing")
		}
	})
	t.Run("one relation wide, another narrow", func(t *testing.T) {
		// The comments of ten times more posts than fit, and the authors
		// of a few: the comments rest, the authors stay.
		author, _ := RelationOf(ResourceComment, "author")
		c := newEmbedCache(bytes)
		comments := c.judgmentOf(rel.path())
		for i := 0; comments.resting == 0; i++ {
			if i > 40*embedWindow {
				t.Fatal("the comments never rested")
			}
			read(c, fits*10)
			readOf(c, author, fits/10)
		}
		for range 20 * embedWindow {
			readOf(c, author, fits/10)
		}
		if c.judgmentOf(author.path()).resting > 0 {
			t.Fatal("the authors rest too")
		}
		found := 0
		for range 100 {
			found += readOf(c, author, fits/10)
		}
		if found < 1900 {
			t.Errorf("found %d of 2,000 authors, want 1,900 or more", found)
		}
		held := 0
		c.kept.DeleteFunc(func(k embedKey, _ embedEntry) bool {
			if k.rel == rel.path() {
				held++
			}
			return false
		})
		if held != 0 {
			t.Errorf("resting, the comments hold %d entries", held)
		}
	})
}
