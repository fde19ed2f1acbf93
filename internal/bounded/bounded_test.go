package bounded_test

import (
	"testing"

	"github.com/blogd/blogd/internal/bounded"
)

// size counts an entry as its value's length.
func size(_ int, v string) int { return len(v) }

func TestMapBound(t *testing.T) {
	m := bounded.New(10, size)
	for i := range 100 {
		m.Put(i, "abc")
		if m.Bytes() > 10 {
			t.Fatalf("after %d puts: %d bytes kept, bound 10", i+1, m.Bytes())
		}
		if v, ok := m.Get(i); !ok || v != "abc" {
			t.Fatalf("the entry just put: %q, %v", v, ok)
		}
	}
	if m.Len() != 3 || m.Bytes() != 9 {
		t.Errorf("kept %d entries, %d bytes; want 3 entries, 9 bytes", m.Len(), m.Bytes())
	}
}

func TestMapReplace(t *testing.T) {
	m := bounded.New(10, size)
	m.Put(1, "abcdefgh")
	m.Put(1, "ab") // replaces: the old value's bytes are given back
	m.Put(2, "abcdef")
	if v, _ := m.Get(1); v != "ab" || m.Len() != 2 || m.Bytes() != 8 {
		t.Errorf("got %q, %d entries, %d bytes; want \"ab\", 2, 8", v, m.Len(), m.Bytes())
	}
}

func TestMapTooLarge(t *testing.T) {
	m := bounded.New(10, size)
	m.Put(1, "abc")
	m.Put(2, "abcdefghijk") // larger than the bound: not kept, nothing dropped
	if _, ok := m.Get(2); ok || m.Len() != 1 {
		t.Errorf("an entry past the bound was kept, or made room: %d entries", m.Len())
	}
}

func TestMapClear(t *testing.T) {
	m := bounded.New(10, size)
	m.Put(1, "abc")
	m.Clear()
	if _, ok := m.Get(1); ok || m.Len() != 0 || m.Bytes() != 0 {
		t.Errorf("after Clear: %d entries, %d bytes", m.Len(), m.Bytes())
	}
}

func TestMapDeleteFunc(t *testing.T) {
	m := bounded.New(100, size)
	for i := range 10 {
		m.Put(i, "ab")
	}
	m.DeleteFunc(func(k int, _ string) bool { return k%2 == 0 })
	if m.Len() != 5 || m.Bytes() != 10 {
		t.Fatalf("after deleting the even keys: %d entries, %d bytes; want 5, 10", m.Len(), m.Bytes())
	}
	for i := range 10 {
		if _, ok := m.Get(i); ok != (i%2 == 1) {
			t.Errorf("key %d kept: %v", i, ok)
		}
	}
}
