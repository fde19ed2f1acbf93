// Package bounded holds the store's and the search's caches' one rule of
// size: a map kept under a number of bytes.
package bounded

// Map is a map whose entries' sizes add up to at most a bound. When an
// entry would pass it, entries picked at random make room: Go iterates a
// map in random order, so this keeps no bookkeeping per entry, and for
// caches whose entries are asked for about alike it loses little against
// least-recently-used. A Map is not safe for concurrent use: its owner
// holds the lock that also guards what it keeps beside it.
type Map[K comparable, V any] struct {
	m     map[K]V
	size  func(K, V) int
	bytes int
	max   int
}

// New returns an empty Map that keeps at most about maxBytes, an entry
// counting as size says.
func New[K comparable, V any](maxBytes int, size func(K, V) int) *Map[K, V] {
	return &Map[K, V]{m: map[K]V{}, size: size, max: maxBytes}
}

// Get returns the value kept under k.
func (m *Map[K, V]) Get(k K) (V, bool) {
	v, ok := m.m[k]
	return v, ok
}

// Put keeps v under k, in place of any value kept there. An entry larger
// than the whole bound is not kept.
func (m *Map[K, V]) Put(k K, v V) {
	size := m.size(k, v)
	if size > m.max {
		return
	}
	if old, ok := m.m[k]; ok {
		delete(m.m, k)
		m.bytes -= m.size(k, old)
	}
	for ok, ov := range m.m {
		if m.bytes+size <= m.max {
			break
		}
		delete(m.m, ok)
		m.bytes -= m.size(ok, ov)
	}
	m.m[k] = v
	m.bytes += size
}

// Len is the number of entries kept.
func (m *Map[K, V]) Len() int { return len(m.m) }

// Bytes is the size of the entries kept.
func (m *Map[K, V]) Bytes() int { return m.bytes }

// DeleteFunc drops every entry for which del returns true.
func (m *Map[K, V]) DeleteFunc(del func(K, V) bool) {
	for k, v := range m.m {
		if del(k, v) {
			delete(m.m, k)
			m.bytes -= m.size(k, v)
		}
	}
}

// Clear drops every entry.
func (m *Map[K, V]) Clear() {
	clear(m.m)
	m.bytes = 0
}
