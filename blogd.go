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

import "strings"

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

// Page selects a window of a list ordered by id.
type Page struct {
	Skip  int
	Limit int
}
