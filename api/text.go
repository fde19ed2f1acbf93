package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

// The rules blogd applies to all text in a request body, declared once here
// and added to every body schema (applyTextRules), so that the document
// states them and huma checks them with the rest of the schema: no NUL
// character, which PostgreSQL cannot store and no client means to send; and,
// in a field that must not be empty, a character other than white space.
const (
	textPattern                = `^[^\x00]*$`
	textPatternDescription     = "text without the NUL character (\\u0000)"
	nonBlankPattern            = `^([^\x00]*[^\s\x00][^\x00]*)?$`
	nonBlankPatternDescription = "text that is not blank, without the NUL character (\\u0000)"
)

// applyTextRules adds the text rules to the schema of every request body of
// o.
func applyTextRules(o *huma.OpenAPI) {
	for _, item := range o.Paths {
		for _, op := range []*huma.Operation{item.Post, item.Put, item.Patch} {
			if op != nil && op.RequestBody != nil {
				if s := bodySchema(o, op); s != nil {
					textRules(s)
				}
			}
		}
	}
}

// textRules adds the text rules to every string property of s that has no
// pattern of its own (a username's or an email's says more).
func textRules(s *huma.Schema) {
	for _, p := range s.Properties {
		if p.Type != huma.TypeString || p.Pattern != "" {
			continue
		}
		p.Pattern, p.PatternDescription = textPattern, textPatternDescription
		if p.MinLength != nil && *p.MinLength > 0 {
			p.Pattern, p.PatternDescription = nonBlankPattern, nonBlankPatternDescription
		}
		p.PrecomputeMessages()
	}
}

// ValidateBody checks v, a request body type of package blogd, against the
// schema the API checks that body with: its struct tags and the text rules.
// It is how the command line applies the API's rules to what it writes.
func ValidateBody(v any) error {
	reg := huma.NewMapRegistry("#/components/schemas/", huma.DefaultSchemaNamer)
	s := reg.Schema(reflect.TypeOf(v), false, "")
	textRules(s)
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	var parsed any
	if err := decodeJSON(b, &parsed); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	res := &huma.ValidateResult{}
	huma.Validate(reg, s, huma.NewPathBuffer([]byte{}, 0), huma.ModeWriteToServer, parsed, res)
	if len(res.Errors) == 0 {
		return nil
	}
	ie := &blogd.InvalidInputError{}
	for _, e := range res.Errors {
		f := blogd.FieldError{Message: e.Error()}
		var d *huma.ErrorDetail
		if errors.As(e, &d) {
			f = blogd.FieldError{Field: d.Location, Message: d.Message}
		}
		ie.Fields = append(ie.Fields, f)
	}
	return ie
}
