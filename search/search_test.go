package search

import (
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
	h := NewHighlighter(q)
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
