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
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that the HTTP layer can map it to a status code
// in one place.
type Kind int

// The error kinds of the domain.
const (
	// KindInternal is anything unexpected: a bug or a failing database.
	KindInternal Kind = iota
	// KindNotFound: the resource named by the path or by a referenced id does
	// not exist.
	KindNotFound
	// KindConflict: the change would break a uniqueness rule.
	KindConflict
	// KindInvalid: the request is well-formed but contradicts the data, such
	// as a reply to a comment of another post.
	KindInvalid
	// KindForbidden: the caller may not do this.
	KindForbidden
)

// Error is a domain error with a kind and a human sentence for the client.
type Error struct {
	Kind   Kind
	Detail string
}

// Error returns the detail sentence.
func (e *Error) Error() string { return e.Detail }

// Errorf returns an *Error of the given kind with a formatted detail.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of the first *Error in err's chain, or
// KindInternal when there is none.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorDetail returns the detail of the first *Error in err's chain, or a
// generic sentence that reveals nothing of an internal error.
func ErrorDetail(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return "internal server error"
}

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
