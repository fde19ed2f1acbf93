// Package blogd holds the domain of the blog service described by the guide
// "SQLAlchemy Relationships in FastAPI": users, their one-to-one profiles,
// posts (one-to-many), categories (many-to-many through an association that
// carries created_at), threaded comments (self-referential) and roles
// (many-to-many).
//
// The root package has no dependencies beyond the standard library. The
// data layer lives in package store, the HTTP layer in package api, and the
// binary in cmd/blogd.
//
// Input types carry their validation rules as struct tags (minLength,
// maxLength, format, minimum...). The HTTP layer turns those tags into the
// OpenAPI schema and validates every request body against it, so each rule is
// declared exactly once.
package blogd

import (
	"strings"
	"time"
)

// InvalidInputError lists the invalid fields of an input.
type InvalidInputError struct {
	Fields []FieldError
}

// FieldError is one invalid field: its name as JSON spells it, and what is
// wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error lists the fields and what is wrong with each, on one line.
func (e *InvalidInputError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Page selects a window of a sorted list: Limit rows after the first Skip,
// or after the row at After (a cursor's position) when it is set.
type Page struct {
	Skip  int
	Limit int
	// Sort is the order of the list; "" is SortID.
	Sort Sort
	// After, when not nil, starts the page after this row of the list in
	// its order: a keyset page, which costs the same at any depth.
	After *Key
	// Count asks for the number of rows of the whole list as well.
	Count bool
}

// Sort is the order of a list.
type Sort string

// The orders of lists: by id, every list; by creation time, posts; by
// relevance (best first, then id), a search.
const (
	SortID            Sort = "id"
	SortIDDesc        Sort = "-id"
	SortCreatedAt     Sort = "created_at"
	SortCreatedAtDesc Sort = "-created_at"
	SortRelevance     Sort = "relevance"
)

// Desc reports whether s is a descending order.
func (s Sort) Desc() bool { return strings.HasPrefix(string(s), "-") }

// ByTime reports whether s orders by creation time (then id).
func (s Sort) ByTime() bool { return strings.TrimPrefix(string(s), "-") == string(SortCreatedAt) }

// Key is the position of a row in a sorted list: its id and, for lists by
// creation time, its created_at, for a search by relevance, its score.
type Key struct {
	ID        int64
	CreatedAt time.Time
	Score     float64
}

// Keyed is a row of a list, which knows its position.
type Keyed interface{ Key() Key }

// List is one page of a list.
type List[T any] struct {
	Items []T
	// More reports that rows follow this page.
	More bool
	// Total is the number of rows of the whole list, when the page asked
	// for it (Page.Count); else -1.
	Total int
}
