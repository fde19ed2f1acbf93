package api

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

// problemContentType is the media type of every error body (RFC 9457).
const problemContentType = "application/problem+json"

// documentErrors gives every error response of every operation in o a
// description of when it happens and an example problem body in the
// operation's own terms, so that the docs show what a client will see. huma
// declares the responses (from each operation's Errors) with the status
// text only.
func documentErrors(o *huma.OpenAPI) {
	for _, item := range o.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			for code, resp := range op.Responses {
				status, err := strconv.Atoi(code)
				mt := resp.Content[problemContentType]
				if err != nil || status < 400 || mt == nil {
					continue
				}
				desc, detail := describeError(op, status)
				if desc == "" {
					continue
				}
				resp.Description = desc
				m := problem(status, detail)
				if status == http.StatusUnprocessableEntity || status == http.StatusUnsupportedMediaType {
					m.Errors = []*huma.ErrorDetail{exampleErrorDetail(o, op, status)}
				}
				mt.Example = m
			}
		}
	}
}

// describeError says when op answers status, with an example detail in the
// words the server uses.
func describeError(op *huma.Operation, status int) (description, detail string) {
	tag := ""
	if len(op.Tags) > 0 {
		tag = op.Tags[0]
	}
	switch status {
	case http.StatusBadRequest:
		return "The request is well-formed but contradicts the data.", "Parent comment belongs to a different post"
	case http.StatusUnauthorized:
		if op.OperationID == "create-token" {
			return "Incorrect username or password; the same answer whether the username exists or not.",
				msgBadCredentials
		}
		return "No token, or a malformed, unknown, revoked or expired one. The answer carries WWW-Authenticate: Bearer.",
			unauthenticatedDetail
	case http.StatusForbidden:
		return "The caller's token is valid, but the caller may not do this.", blogd.ErrAdminsOnly.Detail
	case http.StatusNotFound:
		return "The resource named by the path, or one the body refers to, does not exist.", notFoundDetail(tag)
	case http.StatusRequestTimeout:
		return "The request body did not arrive within the server's read timeout.", "request body read timeout"
	case http.StatusConflict:
		return "The change would break a uniqueness rule.", conflictDetail(tag)
	case http.StatusRequestEntityTooLarge:
		return "The request body is larger than 1 MiB.", "request body is too large limit=" + strconv.Itoa(maxBodyBytes) + " bytes"
	case http.StatusUnsupportedMediaType:
		return "The request body is not JSON: send Content-Type: application/json.", msgNotJSON
	case http.StatusUnprocessableEntity:
		return "Invalid input. `errors` lists every bad field with its location: a missing or unknown field, " +
			"a wrong type or format, text that is blank or holds a NUL character, malformed JSON or a key given twice, " +
			"null in a PATCH body, a bad path or query value.", msgValidationFailed
	case http.StatusInternalServerError:
		return "An unexpected failure; the server logs it and reveals nothing of it.", "internal server error"
	case http.StatusTooManyRequests:
		if op.OperationID == "create-token" {
			return "Too many failed sign-ins for this username from this address: wait the Retry-After header's seconds.",
				msgSignInThrottled
		}
		return "Too many requests from this client address: wait the Retry-After header's seconds.", msgRateLimited
	case http.StatusPreconditionFailed:
		return "If-Match named a tag that is no longer the resource's: it changed since the client read it. Nothing was changed.",
			blogd.ErrPostChanged.Detail
	case http.StatusServiceUnavailable:
		return "The database does not answer.", "database unavailable"
	}
	return "", ""
}

// notFoundDetail is the sentence of a missing resource of the operations
// of tag.
func notFoundDetail(tag string) string {
	return detailOf(tag, blogd.ErrUserNotFound, map[string]*blogd.Error{
		tagProfiles:   blogd.ErrProfileNotFound,
		tagPosts:      blogd.ErrPostNotFound,
		tagCategories: blogd.ErrCategoryNotFound,
		tagComments:   blogd.ErrCommentNotFound,
		tagRoles:      blogd.ErrRoleNotFound,
	})
}

// conflictDetail is the sentence of a uniqueness conflict of the
// operations of tag.
func conflictDetail(tag string) string {
	return detailOf(tag, blogd.ErrUsernameTaken, map[string]*blogd.Error{
		tagCategories: blogd.ErrCategoryNameTaken,
		tagRoles:      blogd.ErrRoleNameTaken,
		tagProfiles:   blogd.ErrProfileExists,
	})
}

// detailOf is the sentence of the error of tag in byTag, else of fallback.
func detailOf(tag string, fallback *blogd.Error, byTag map[string]*blogd.Error) string {
	if e, ok := byTag[tag]; ok {
		return e.Detail
	}
	return fallback.Detail
}

// exampleErrorDetail is one field error that op can report: a missing (or,
// in a PATCH, null) body field, else a bad path or query parameter.
func exampleErrorDetail(o *huma.OpenAPI, op *huma.Operation, status int) *huma.ErrorDetail {
	if status == http.StatusUnsupportedMediaType {
		return &huma.ErrorDetail{Message: "unknown content type: text/plain", Location: "body", Value: "ada"}
	}
	if op.RequestBody != nil {
		if s := bodySchema(o, op); s != nil {
			if len(s.Required) > 0 {
				return &huma.ErrorDetail{Message: "required field is missing", Location: "body." + s.Required[0]}
			}
			if names := slices.Sorted(maps.Keys(s.Properties)); len(names) > 0 {
				return &huma.ErrorDetail{Message: "must not be null", Location: "body." + names[0]}
			}
		}
	}
	for _, p := range op.Parameters {
		if p.In == "path" {
			return &huma.ErrorDetail{Message: "invalid integer", Location: "path." + p.Name, Value: "x"}
		}
	}
	return &huma.ErrorDetail{Message: "expected number >= 1", Location: "query.limit", Value: 0}
}

// bodySchema is the schema of op's JSON request body, its $ref resolved.
func bodySchema(o *huma.OpenAPI, op *huma.Operation) *huma.Schema {
	mt := op.RequestBody.Content["application/json"]
	if mt == nil || mt.Schema == nil {
		return nil
	}
	s := mt.Schema
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		s = o.Components.Schemas.Map()[name]
	}
	return s
}
