package api

// Request bodies: their input types, and how they are decoded.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// bodyInput is the input of an operation that takes only a body.
type bodyInput[T any] struct {
	Body T
}

// idBodyInput is the input of an operation on the resource at {id} that
// takes a body.
type idBodyInput[T any] struct {
	IDPath
	Body T
}

// decodeJSON reads request bodies. huma first decodes a body into an
// untyped value (into is a *any) to validate it against the schema, then
// into the operation's Go type. The first pass is stricter than
// encoding/json, so that what encoding/json would accept silently is a 422:
// invalid UTF-8 (encoding/json replaces it) and a key given twice
// (encoding/json keeps the last). Numbers follow JSON Schema, where 3.0 and
// 1e3 are integers: the second pass accepts them in an integer field,
// where encoding/json fails with a Go error.
func decodeJSON(data []byte, into any) error {
	p, ok := into.(*any)
	if !ok {
		err := json.Unmarshal(data, into)
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && strings.HasPrefix(te.Value, "number") {
			// An integer written as 3.0 or 1e3, which the schema passed.
			var v any
			if decodeJSON(data, &v) == nil {
				if plain, mErr := json.Marshal(v); mErr == nil {
					return json.Unmarshal(plain, into)
				}
			}
		}
		return err
	}
	if !utf8.Valid(data) {
		return errors.New("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: more than one value in the body")
	}
	*p = v
	return nil
}

// decodeValue reads one JSON value from dec.
func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonSyntaxError(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonSyntaxError(err)
				}
				key := kt.(string) // the decoder allows only strings here
				if _, dup := obj[key]; dup {
					return nil, fmt.Errorf("the key %q appears more than once", key)
				}
				if obj[key], err = decodeValue(dec); err != nil {
					return nil, err
				}
			}
			_, err := dec.Token() // }
			return obj, jsonSyntaxError(err)
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ]
			return arr, jsonSyntaxError(err)
		}
		return nil, errors.New("invalid JSON")
	case json.Number:
		return number(t), nil
	}
	return tok, nil // string, bool or nil
}

// jsonSyntaxError words a decoder's error for a client.
func jsonSyntaxError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: the body ends too soon")
	}
	return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// number is a JSON number as an int64 when it is an integer that fits one,
// however written (3, 3.0, 3e0), else as a float64.
func number(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return n // the decoder let through only valid numbers
	}
	if f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
		return int64(f)
	}
	return f
}
