package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/internal/testdb"
	"github.com/blogd/blogd/store"
)

// Concurrent writes, some of which fail, each get their own outcome: on
// SQLite they share commits (group commit), and a failing one must take
// only its own work back.
func TestConcurrentWritesOwnOutcome(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		s := b.Open(t, store.Options{})
		defer s.Close()
		const names, tries = 20, 4 // each name created by 4 writers at once
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := map[string]int{}
		conflicts := 0
		for i := range names * tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("c%02d", i%names)
				_, err := s.CreateCategory(ctx, blogd.CategoryCreate{Name: name})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					created[name]++
				case blogd.ErrorKind(err) == blogd.KindConflict:
					conflicts++
				default:
					t.Errorf("create %s: %v", name, err)
				}
			}()
		}
		wg.Wait()
		if len(created) != names || conflicts != names*(tries-1) {
			t.Fatalf("%d names created, %d conflicts; want %d and %d", len(created), conflicts, names, names*(tries-1))
		}
		for name, n := range created {
			if n != 1 {
				t.Errorf("%s created %d times", name, n)
			}
		}
		// Every acknowledged write is there, and nothing else.
		var n int
		if err := s.ReadDB().QueryRowContext(ctx, "SELECT count(*) FROM categories").Scan(&n); err != nil || n != names {
			t.Errorf("categories: %d, %v; want %d", n, err, names)
		}
	})
}

// A request whose context is over before its write runs gets the context's
// error, and its write does not happen.
func TestWriteCanceledBeforeItRuns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, b testdb.Backend) {
		s := b.Open(t, store.Options{})
		defer s.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.CreateCategory(ctx, blogd.CategoryCreate{Name: "gone"}); err == nil {
			t.Fatal("write with a canceled context succeeded")
		}
		var n int
		if err := s.ReadDB().QueryRowContext(context.Background(), "SELECT count(*) FROM categories").Scan(&n); err != nil || n != 0 {
			t.Errorf("categories: %d, %v; want 0", n, err)
		}
	})
}
