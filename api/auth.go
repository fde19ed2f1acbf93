package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

// Authentication and permissions: who may call an operation is declared on
// the operation itself (allow), checked by one huma middleware before any
// input is read (401, 403, 404 for a missing resource), plus one check of
// the body's user_id in register (403 when a caller who is not an admin
// writes for someone else). Signing in and tokens are token.go.

// rule decides whether caller may run an operation, given its path
// parameters. It returns nil, or a domain error (forbidden, not found).
type rule func(ctx context.Context, s *server, c *blogd.Caller, param func(string) string) error

// access is who may call an operation.
type access struct {
	public bool // anyone, no token: sign-up and sign-in
	// optional: a public read that shows more to some callers (a user's
	// email to the user and to admins); a bad token reads as no token.
	optional bool
	rule     rule // nil: any signed-in caller
	actsAs   bool // the body names a user_id, which must be the caller's unless they are an admin
	// forgetsCallers: the operation can end a token or change what a
	// caller may do (a password, a user, a role), so the caller cache is
	// emptied after it.
	forgetsCallers bool
}

// accessKey is the key of an operation's access in its Metadata.
const accessKey = "blogd.access"

// allow declares who may call op. Reads that declare nothing are public,
// with the caller known when a token comes; a write that declares nothing
// is a programming error, caught when the handler is built (accessFor).
func allow(op huma.Operation, acc access) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[accessKey] = acc
	return op
}

func adminOnly(_ context.Context, _ *server, c *blogd.Caller, _ func(string) string) error {
	if c.Admin {
		return nil
	}
	return blogd.ErrAdminsOnly
}

// pathID reads the {id} of the path; huma reports a bad one (422) later.
func pathID(param func(string) string) (int64, bool) {
	id, err := strconv.ParseInt(param("id"), 10, 64)
	return id, err == nil
}

func selfOrAdmin(_ context.Context, _ *server, c *blogd.Caller, param func(string) string) error {
	id, ok := pathID(param)
	if !ok || c.Admin || c.ID == id {
		return nil
	}
	return blogd.ErrNotYourAccount
}

// authorOrModerator returns the rule "the author of the resource at {id},
// a moderator or an admin"; author looks the author up (not found: 404).
func authorOrModerator(author func(ctx context.Context, s *server, id int64) (int64, error), forbidden error) rule {
	return func(ctx context.Context, s *server, c *blogd.Caller, param func(string) string) error {
		id, ok := pathID(param)
		if !ok || c.Admin || c.Moderator {
			return nil
		}
		owner, err := author(ctx, s, id)
		if err != nil || owner == c.ID {
			return err
		}
		return forbidden
	}
}

var (
	postAuthorOrModerator = authorOrModerator(func(ctx context.Context, s *server, id int64) (int64, error) {
		return s.store.PostAuthor(ctx, id)
	}, blogd.ErrNotYourPost)
	commentAuthorOrModerator = authorOrModerator(func(ctx context.Context, s *server, id int64) (int64, error) {
		return s.store.CommentAuthor(ctx, id)
	}, blogd.ErrNotYourComment)
)

// accessFor returns the access of op, and whether it needs a token; it
// panics for a write that declares no access.
func accessFor(op huma.Operation) (acc access, protected bool) {
	acc, ok := op.Metadata[accessKey].(access)
	if !ok {
		if op.Method != http.MethodGet {
			panic(fmt.Sprintf("api: write operation %q declares no access (allow)", op.OperationID))
		}
		// A read is public, and a token, when one comes, says who reads:
		// an include can embed users, whose emails only some may see.
		acc = access{optional: true}
	}
	return acc, !acc.public && !acc.optional
}

// Security schemes of the OpenAPI document: the docs page can sign in with
// a username and password (OAuth2 password flow) or take a token.
const (
	schemeOAuth2 = "OAuth2"
	schemeBearer = "bearer"
)

// guard declares op's security and the errors it adds (401, 403) before it
// is registered.
func guard(op *huma.Operation) {
	acc, protected := accessFor(*op)
	if !protected {
		return
	}
	op.Security = []map[string][]string{{schemeOAuth2: {}}, {schemeBearer: {}}}
	op.Errors = append(op.Errors, http.StatusUnauthorized)
	if acc.rule != nil || acc.actsAs {
		op.Errors = append(op.Errors, http.StatusForbidden)
	}
	if acc.rule != nil && !slices.Contains(op.Errors, http.StatusNotFound) {
		op.Errors = append(op.Errors, http.StatusNotFound)
	}
}

type callerKey struct{}

// callerOf returns the signed-in caller of ctx, or nil.
func callerOf(ctx context.Context) *blogd.Caller {
	c, _ := ctx.Value(callerKey{}).(*blogd.Caller)
	return c
}

// authMiddleware authenticates the bearer token of every operation that
// needs one and applies the operation's rule, before huma reads any input.
func (s *server) authMiddleware(a huma.API) func(ctx huma.Context, next func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		acc, protected := accessFor(*op)
		if acc.optional {
			if h := ctx.Header("Authorization"); h != "" {
				if caller, err := s.authenticate(ctx.Context(), h); err == nil {
					ctx = huma.WithValue(ctx, callerKey{}, caller)
				}
			}
		}
		if !protected {
			next(ctx)
			return
		}
		caller, err := s.authenticate(ctx.Context(), ctx.Header("Authorization"))
		if err != nil {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="blogd"`)
			huma.WriteErr(a, ctx, http.StatusUnauthorized, unauthenticatedDetail)
			return
		}
		if acc.rule != nil {
			if err := acc.rule(ctx.Context(), s, caller, ctx.Param); err != nil {
				writeDomainErr(a, ctx, s.problemFor(ctx.Context(), err))
				return
			}
		}
		next(huma.WithValue(ctx, callerKey{}, caller))
	}
}

func writeDomainErr(a huma.API, ctx huma.Context, err error) {
	var se huma.StatusError
	if errors.As(err, &se) {
		huma.WriteErr(a, ctx, se.GetStatus(), err.Error())
	}
}

// errUnauthenticated is every bad token: missing, malformed, unknown,
// revoked or expired. They all get one answer, unauthenticatedDetail.
var errUnauthenticated = errors.New("unauthenticated")

const unauthenticatedDetail = "Missing, invalid or expired bearer token"

// authenticate returns the caller of an Authorization header.
func (s *server) authenticate(ctx context.Context, header string) (*blogd.Caller, error) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 256 {
		return nil, errUnauthenticated
	}
	now := s.auth.now()
	// The cache is keyed by the digest itself: its hex form, which the
	// database keeps, is made only on a miss.
	sum := sha256.Sum256([]byte(token))
	c, ok := s.auth.callers.get(sum, now)
	if !ok {
		var err error
		c, ok, err = s.store.Caller(ctx, hex.EncodeToString(sum[:]))
		if err != nil {
			s.log.ErrorContext(ctx, "authenticate", "err", err)
			return nil, errUnauthenticated
		}
		if ok {
			s.auth.callers.put(sum, c, now)
		}
	}
	if !ok || !now.Before(c.TokenExpires) {
		return nil, errUnauthenticated
	}
	return &c, nil
}

// callerCache remembers token lookups for a moment (callerCacheTTL), so that
// a client that sends its token with every request does not double the
// queries of each read. A change that can end a token or change what a
// caller may do (a new password, a deleted user, a role given, taken,
// renamed or deleted), made through this instance, empties it at once
// (access.forgetsCallers); other instances on the same PostgreSQL see such a change
// within callerCacheTTL.
type callerCache struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]cachedCaller // by the token's SHA-256
}

type cachedCaller struct {
	c     blogd.Caller
	until time.Time
}

const (
	callerCacheTTL  = time.Second
	callerCacheSize = 10_000
)

func (cc *callerCache) get(hash [sha256.Size]byte, now time.Time) (blogd.Caller, bool) {
	cc.mu.RLock()
	e, ok := cc.m[hash]
	cc.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return blogd.Caller{}, false
	}
	return e.c, true
}

func (cc *callerCache) put(hash [sha256.Size]byte, c blogd.Caller, now time.Time) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.m) >= callerCacheSize {
		clear(cc.m)
	}
	cc.m[hash] = cachedCaller{c: c, until: now.Add(callerCacheTTL)}
}

func (cc *callerCache) clear() {
	cc.mu.Lock()
	clear(cc.m)
	cc.mu.Unlock()
}

// showEmail reports whether the caller of ctx may see the email of user id.
func showEmail(ctx context.Context, id int64) bool {
	c := callerOf(ctx)
	return c != nil && (c.Admin || c.ID == id)
}

// actingUser is a request body that names the user it writes as.
type actingUser interface{ actingUserID() *int64 }

// actAs fills a body's missing user_id with the caller's, and refuses
// another user's id unless the caller is an admin.
func actAs(ctx context.Context, in any) error {
	a, ok := in.(actingUser)
	c := callerOf(ctx)
	if !ok || c == nil {
		return nil
	}
	id := a.actingUserID()
	switch {
	case *id == 0:
		*id = c.ID
	case *id != c.ID && !c.Admin:
		return blogd.ErrWriteAsYourself
	}
	return nil
}
