package search

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"sync"

	"github.com/blogd/blogd/internal/bounded"
)

// Snippets keeps the snippets made lately, so that a search asked again
// does not make them again: a blog's searches repeat far more often than
// its posts change, and making a page's snippets (reading each post up to
// its first match, folding and stemming its words) cost about a fifth of a
// search's answer.
//
// A snippet depends only on the search's words, the post's title and its
// content, so a kept one is exact whatever happened since it was made: an
// edited post has another text, and so another key. The text is known by
// a 64-bit hash of it (the chance that two texts of one search share one
// among the entries kept is about 10^-11), which keeps the memory a few
// bytes an entry whatever the posts' length.
type Snippets struct {
	mu   sync.Mutex
	seed maphash.Seed
	kept *bounded.Map[snippetKey, string]
}

// snippetKey names a snippet: the search's words and the post's text.
type snippetKey struct {
	words string // the folded words of the search, sorted (Highlighter.words)
	text  uint64 // the hash of the post's title and content
}

// snippetEntryBytes is about what an entry costs beyond its strings: the
// key's and the value's headers and the map's slot.
const snippetEntryBytes = 64

// entryBytes is about what keeping snippet v under k costs.
func entryBytes(k snippetKey, v string) int { return len(k.words) + len(v) + snippetEntryBytes }

// NewSnippets keeps at most about maxBytes of snippets; the oldest are not
// told from the others (bounded.Map).
func NewSnippets(maxBytes int) *Snippets {
	return &Snippets{seed: maphash.MakeSeed(), kept: bounded.New(maxBytes, entryBytes)}
}

// Highlighter is the highlighter of the posts that q found, which keeps its
// snippets in s and takes those s has.
func (s *Snippets) Highlighter(q Query) *Highlighter {
	h := NewHighlighter(q)
	h.kept = s
	words := make([]string, 0, len(h.want))
	for w := range h.want {
		words = append(words, w)
	}
	slices.Sort(words)
	h.words = strings.Join(words, " ") // folded words hold no space
	return h
}

// key is the key of the snippet of a post with title and content in a
// search of words.
func (s *Snippets) key(words, title, content string) snippetKey {
	var h maphash.Hash
	h.SetSeed(s.seed)
	// The title's length first, so that no other split of the same bytes
	// into title and content hashes alike.
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(title)))
	h.Write(n[:])
	h.WriteString(title)
	h.WriteString(content)
	return snippetKey{words: words, text: h.Sum64()}
}

func (s *Snippets) get(k snippetKey) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept.Get(k)
}

func (s *Snippets) put(k snippetKey, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept.Put(k, v)
}

// Len is the number of snippets kept.
func (s *Snippets) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kept.Len()
}
