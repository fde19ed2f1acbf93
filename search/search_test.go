package search

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	p := func(words ...string) Phrase { return Phrase(words) }
	for _, tc := range []struct {
		q    string
		want Query
	}{
		{"lazy loading", Query{All: [][]Phrase{{p("lazy")}, {p("loading")}}}},
		{`"lazy loading" eager`, Query{All: [][]Phrase{{p("lazy", "loading")}, {p("eager")}}}},
		{"a OR b c", Query{All: [][]Phrase{{p("a"), p("b")}, {p("c")}}}},
		{"a OR b OR c", Query{All: [][]Phrase{{p("a"), p("b"), p("c")}}}},
		{"OR a OR", Query{All: [][]Phrase{{p("a")}}}},
		{"a or b", Query{All: [][]Phrase{{p("a")}, {p("or")}, {p("b")}}}}, // only OR in capitals is the operator
		{`a -b -"c d"`, Query{All: [][]Phrase{{p("a")}}, None: []Phrase{p("b"), p("c", "d")}}},
		{"a - b", Query{All: [][]Phrase{{p("a")}, {p("b")}}}},
		{"e-mail N+1", Query{All: [][]Phrase{{p("e", "mail")}, {p("N", "1")}}}},
		{`"open phrase`, Query{All: [][]Phrase{{p("open", "phrase")}}}},
		{"東京タワー", Query{All: [][]Phrase{{p("東", "京", "タ", "ワ", "ー")}}}},
		{"café", Query{All: [][]Phrase{{p("café")}}}},
		{"a -", Query{All: [][]Phrase{{p("a")}}}},
	} {
		got, err := Parse(tc.q)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.q, got, err, tc.want)
		}
	}
	for q, want := range map[string]error{
		"":                        ErrEmpty,
		" \t":                     ErrEmpty,
		`--- "" !!`:               ErrNoWords,
		"-a -b":                   ErrOnlyExcluded,
		strings.Repeat("w ", 33):  Error("q has 33 words; at most 32"),
		strings.Repeat("x", 1001): Error("q is 1001 bytes long; at most 1000"),
		strings.Repeat("a-", 16):  nil, // one phrase of 16 words
	} {
		if _, err := Parse(q); err != want {
			t.Errorf("Parse(%.20q...) error %v, want %v", q, err, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	q, _ := Parse("run cafe")
	kept := NewSnippets(1 << 20)
	for _, h := range []*Highlighter{NewHighlighter(q), kept.Highlighter(q), kept.Highlighter(q)} {
		testSnippets(t, h)
	}
	if kept.Len() != 3 {
		t.Errorf("%d snippets kept, want 3", kept.Len())
	}
}

func testSnippets(t *testing.T, h *Highlighter) {
	t.Helper()
	for _, tc := range []struct{ title, content, want string }{
		{"t", "She runs to the café <daily> & more.", "She <mark>runs</mark> to the <mark>café</mark> &lt;daily&gt; &amp; more."},
		{"Running late", "nothing here", "<mark>Running</mark> late"},
		{"t", strings.Repeat("word ", 30) + "running " + strings.Repeat("tail ", 30),
			"…word word word word word word <mark>running</mark> tail tail tail tail tail tail tail tail tail tail tail tail tail tail tail tail tail…"},
	} {
		if got := h.Snippet(tc.title, tc.content); got != tc.want {
			t.Errorf("Snippet(%q, %q) =\n%q, want\n%q", tc.title, tc.content, got, tc.want)
		}
	}
}

// A kept snippet is the one of the same words and the same text: another
// search, an edited content or the same bytes split otherwise between
// title and content make their own.
func TestSnippetsKeptByText(t *testing.T) {
	kept := NewSnippets(1 << 20)
	run, _ := Parse("run")
	cafe, _ := Parse("cafe")
	for _, tc := range []struct {
		q                    Query
		title, content, want string
	}{
		{run, "t", "I run to the café", "I <mark>run</mark> to the café"},
		{cafe, "t", "I run to the café", "I run to the <mark>café</mark>"},
		{run, "t", "I ran, then run again", "I ran, then <mark>run</mark> again"},
		{run, "run", "x", "<mark>run</mark>"},
		{run, "ru", "nx", "ru"},
		{run, "t", "I run to the café", "I <mark>run</mark> to the café"},
	} {
		if got := kept.Highlighter(tc.q).Snippet(tc.title, tc.content); got != tc.want {
			t.Errorf("Snippet(%q, %q) = %q, want %q", tc.title, tc.content, got, tc.want)
		}
	}
	if kept.Len() != 5 {
		t.Errorf("%d snippets kept, want 5", kept.Len())
	}
}

// The snippets kept stay within their bound: old ones make room.
func TestSnippetsBound(t *testing.T) {
	const maxBytes = 4 << 10
	kept := NewSnippets(maxBytes)
	q, _ := Parse("word")
	h := kept.Highlighter(q)
	for i := range 1000 {
		content := fmt.Sprintf("post %d has a word", i)
		if got, want := h.Snippet("t", content), fmt.Sprintf("post %d has a <mark>word</mark>", i); got != want {
			t.Fatalf("Snippet = %q, want %q", got, want)
		}
	}
	if n := kept.Len(); n == 0 || n*(snippetEntryBytes+len("word")+len("post 999 has a <mark>word</mark>")) > maxBytes {
		t.Errorf("%d snippets kept in %d bytes", n, maxBytes)
	}
	if b := kept.kept.Bytes(); b > maxBytes {
		t.Errorf("%d bytes kept, at most %d", b, maxBytes)
	}
}

// Whatever q holds, Parse answers a query or an error, and a query has
// words, at most MaxWords of them, none empty.
func FuzzParse(f *testing.F) {
	for _, q := range []string{"a OR b", `-"x`, "東京", "\xff", "a\u0301"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := Parse(q)
		if err != nil {
			return
		}
		n := 0
		for _, g := range got.All {
			for _, p := range g {
				for _, w := range p {
					if w == "" {
						t.Fatalf("Parse(%q): an empty word", q)
					}
					n++
				}
			}
		}
		if len(got.All) == 0 || n > MaxWords {
			t.Fatalf("Parse(%q) = %+v", q, got)
		}
	})
}
