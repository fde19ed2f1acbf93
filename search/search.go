// Package search reads the search language of GET /posts?q= and makes the
// snippets of its answers. The same rules serve both databases: the words
// of a text are its runs of letters and digits, and each Chinese, Japanese
// or Korean character is a word of its own (those scripts do not put spaces
// between words), so that both engines index and match the same words.
//
// The language: words are ANDed; "a phrase" matches its words in a row;
// -word and -"a phrase" exclude; OR between two words or phrases matches
// either. Matching ignores case and accents, and English words match their
// other forms (run, runs, running) by stemming.
package search

import (
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Bounds of a search.
const (
	// MaxLength is the most bytes of q.
	MaxLength = 1000
	// MaxWords is the most words of a search, phrases' words included.
	MaxWords = 32
)

// Phrase is words that must appear in a row; a single word is a phrase of
// one.
type Phrase []string

// Text is the phrase's words separated by spaces, as both engines read a
// phrase.
func (p Phrase) Text() string { return strings.Join(p, " ") }

// Query is a parsed search: a post matches when, for each group of All, it
// has one of the group's phrases, and it has none of the phrases of None.
type Query struct {
	All  [][]Phrase
	None []Phrase
}

// Error is why a search cannot be run, in a sentence for the client.
type Error string

func (e Error) Error() string { return string(e) }

// The reasons a search is refused.
const (
	ErrEmpty        Error = "q is empty: give words to search for"
	ErrNoWords      Error = "q has no words to search for (letters or digits)"
	ErrOnlyExcluded Error = "q only excludes words: give at least one word to find"
)

// item is a phrase of q as written, or the OR between two.
type item struct {
	phrase  Phrase
	exclude bool
	or      bool
}

// Parse reads q. A quote left open runs to the end of q; an OR with no
// word on one side is ignored; punctuation inside a word splits it into a
// phrase (e-mail is "e mail"), as the engines split the texts.
func Parse(q string) (Query, error) {
	if strings.TrimSpace(q) == "" {
		return Query{}, ErrEmpty
	}
	if len(q) > MaxLength {
		return Query{}, Error(fmt.Sprintf("q is %d bytes long; at most %d", len(q), MaxLength))
	}
	var items []item
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		exclude := false
		if r == '-' && i+1 < len(q) && !isSpaceAt(q, i+1) {
			exclude = true
			i++
		}
		var chunk string
		if q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				chunk, i = q[i+1:], len(q)
			} else {
				chunk, i = q[i+1:i+1+end], i+2+end
			}
		} else {
			end := strings.IndexFunc(q[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(q) - i
			}
			chunk, i = q[i:i+end], i+end
			if chunk == "OR" && !exclude {
				items = append(items, item{or: true})
				continue
			}
		}
		if words := Words(chunk); len(words) > 0 {
			items = append(items, item{phrase: words, exclude: exclude})
		}
	}
	return group(items)
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// group joins the phrases that OR links into groups.
func group(items []item) (Query, error) {
	var q Query
	words, excluded := 0, false
	joinNext := false
	for _, it := range items {
		switch {
		case it.or:
			joinNext = len(q.All) > 0
			continue
		case it.exclude:
			q.None = append(q.None, it.phrase)
			excluded = true
		case joinNext:
			last := len(q.All) - 1
			q.All[last] = append(q.All[last], it.phrase)
		default:
			q.All = append(q.All, []Phrase{it.phrase})
		}
		joinNext = false
		words += len(it.phrase)
	}
	switch {
	case len(q.All) == 0 && excluded:
		return Query{}, ErrOnlyExcluded
	case len(q.All) == 0:
		return Query{}, ErrNoWords
	case words > MaxWords:
		return Query{}, Error(fmt.Sprintf("q has %d words; at most %d", words, MaxWords))
	}
	return q, nil
}

// A word is a run of letters, digits and marks, or one character of a
// script written without spaces between words.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

// cjkRanges are the characters that are each a word of their own:
// Hiragana, Katakana, CJK ideographs (and their extension A and
// compatibility blocks) and Hangul syllables. PostgreSQL's
// blogd_search_text (migration 00007) lists the same ranges.
var cjkRanges = [][2]rune{
	{0x3040, 0x30ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff}, {0xf900, 0xfaff}, {0xac00, 0xd7af},
}

// IsCJK reports whether r is a character that is a word of its own.
func IsCJK(r rune) bool {
	if r < cjkRanges[0][0] {
		return false
	}
	for _, rg := range cjkRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// span is a word of a text: its bytes text[start:end].
type span struct{ start, end int }

// spans lists the words of text.
func spans(text string) []span {
	out := make([]span, 0, len(text)/6)
	for s, ok := nextSpan(text, 0); ok; s, ok = nextSpan(text, s.end) {
		out = append(out, s)
	}
	return out
}

// nextSpan is the first word of text at or after byte i, and whether there
// is one: a run of letters and digits, or one CJK character.
func nextSpan(text string, i int) (span, bool) {
	start := -1
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case IsCJK(r):
			if start >= 0 {
				return span{start, i}, true
			}
			return span{i, i + n}, true
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				return span{start, i}, true
			}
		}
		i += n
	}
	if start >= 0 {
		return span{start, len(text)}, true
	}
	return span{}, false
}

// Words lists the words of text, as written.
func Words(text string) []string {
	sp := spans(text)
	out := make([]string, len(sp))
	for i, s := range sp {
		out[i] = text[s.start:s.end]
	}
	return out
}

// IndexText is text as the SQLite index reads it: each CJK character set
// apart by spaces, so that its tokenizer, which splits at spaces and
// punctuation only, makes it a word of its own.
func IndexText(text string) string {
	if !strings.ContainsFunc(text, IsCJK) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for _, r := range text {
		if IsCJK(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold is a word as matching compares it: lower case, without the
// combining accents of U+0300..U+036F (as PostgreSQL's blogd_search_text
// removes them), stemmed when it is an English word.
func fold(word string) string {
	w := strings.ToLower(word)
	if !isASCII(w) {
		w = norm.NFC.String(strings.Map(func(r rune) rune {
			if r >= 0x300 && r <= 0x36f {
				return -1
			}
			return r
		}, norm.NFD.String(w)))
	}
	return english.Stem(w, false)
}

// firstLetter is the first letter of word, in lower case and without its
// accent (é is e).
func firstLetter(word string) rune {
	r, _ := utf8.DecodeRuneInString(word)
	if r >= utf8.RuneSelf {
		d, _ := utf8.DecodeRuneInString(norm.NFD.String(string(r)))
		r = d
	}
	return unicode.ToLower(r)
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// snippetWords is about how many words a snippet holds.
const snippetWords = 24

// Highlighter makes the snippets of the posts that one search found.
type Highlighter struct {
	want  map[string]bool   // the folded words of the search
	first map[rune]bool     // their first letters
	folds map[string]string // the folded forms of the words seen, as folding costs
	spans []span            // the words of the text at hand; the array is reused by the next

	kept  *Snippets // where snippets are kept, if anywhere (Snippets.Highlighter)
	words string    // the key of want in kept
}

// NewHighlighter is the highlighter of the posts that q found.
func NewHighlighter(q Query) *Highlighter {
	h := &Highlighter{want: map[string]bool{}, first: map[rune]bool{}, folds: map[string]string{}}
	for _, g := range q.All {
		for _, p := range g {
			for _, w := range p {
				f := fold(w)
				h.want[f] = true
				h.first[firstLetter(f)] = true
			}
		}
	}
	return h
}

// matches reports whether word is one of the search's.
func (h *Highlighter) matches(word string) bool {
	if !h.first[firstLetter(word)] { // stemming keeps a word's first letter; most words go here
		return false
	}
	f, ok := h.folds[word]
	if !ok {
		f = fold(word)
		h.folds[word] = f
	}
	return h.want[f]
}

// Snippet is a short excerpt of a post that the search found: of its
// content where a word of the search is, else of its title, with every
// word of the search wrapped in <mark></mark> and the rest HTML-escaped.
func (h *Highlighter) Snippet(title, content string) string {
	if h.kept == nil {
		return h.make(title, content)
	}
	k := h.kept.key(h.words, title, content)
	if s, ok := h.kept.get(k); ok {
		return s
	}
	s := h.make(title, content)
	h.kept.put(k, s)
	return s
}

// make makes the snippet of a post.
func (h *Highlighter) make(title, content string) string {
	if s, ok := h.snippet(content); ok {
		return s
	}
	s, _ := h.snippet(title)
	return s
}

// snippet is the excerpt of text around its first word in want, and
// whether it has one (else the excerpt is text's start).
func (h *Highlighter) snippet(text string) (string, bool) {
	// The scan stops one word past the snippet's last: a post's whole
	// content is read only when no word of the search is in it.
	sp := h.spans[:0]
	first, from := -1, 0
	for s, ok := nextSpan(text, 0); ok; s, ok = nextSpan(text, s.end) {
		sp = append(sp, s)
		if first < 0 && h.matches(text[s.start:s.end]) {
			first = len(sp) - 1
			from = max(first-snippetWords/4, 0)
		}
		if first >= 0 && len(sp) > from+snippetWords {
			break
		}
	}
	h.spans = sp
	to := min(from+snippetWords, len(sp))
	var b strings.Builder
	start, end := 0, len(text)
	if from > 0 {
		start = sp[from].start
		b.WriteString("…")
	}
	if to < len(sp) {
		end = sp[to-1].end
	}
	at := start
	for _, s := range sp[from:to] {
		if !h.matches(text[s.start:s.end]) {
			continue
		}
		b.WriteString(html.EscapeString(text[at:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		at = s.end
	}
	b.WriteString(html.EscapeString(text[at:end]))
	if end < len(text) {
		b.WriteString("…")
	}
	return b.String(), first >= 0
}
