package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
	"golang.org/x/crypto/bcrypt"
)

// Authentication and permissions, all in this file: who may call which
// operation is the table permissions below, checked by one huma middleware
// before any input is read (401, 403, 404 for a missing resource), plus one
// check of the body's user_id in register (403 when a caller who is not an
// admin writes for someone else).

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
}

// permissions lists every operation that needs a token, by operation id.
// Reads that are not listed are public; a write that is not listed is a
// programming error, caught when the handler is built.
var permissions = map[string]access{
	"create-user": {public: true},
	"get-me":      {},

	"get-user":        {optional: true},
	"list-users":      {optional: true},
	"list-role-users": {optional: true},

	"update-user": {rule: selfOrAdmin},
	"delete-user": {rule: selfOrAdmin},

	"create-profile": {rule: selfOrAdmin},
	"update-profile": {rule: selfOrAdmin},
	"delete-profile": {rule: selfOrAdmin},

	"create-post":          {actsAs: true},
	"update-post":          {rule: postAuthorOrModerator},
	"delete-post":          {rule: postAuthorOrModerator},
	"add-post-category":    {rule: postAuthorOrModerator},
	"remove-post-category": {rule: postAuthorOrModerator},

	"create-comment":      {actsAs: true},
	"create-post-comment": {actsAs: true},
	"update-comment":      {rule: commentAuthorOrModerator},
	"delete-comment":      {rule: commentAuthorOrModerator},

	"create-category": {rule: adminOnly},
	"update-category": {rule: adminOnly},
	"delete-category": {rule: adminOnly},
	"create-role":     {rule: adminOnly},
	"update-role":     {rule: adminOnly},
	"delete-role":     {rule: adminOnly},
	"assign-role":     {rule: adminOnly},
	"unassign-role":   {rule: adminOnly},
}

func adminOnly(_ context.Context, _ *server, c *blogd.Caller, _ func(string) string) error {
	if c.Admin {
		return nil
	}
	return &blogd.Error{Kind: blogd.KindForbidden, Detail: "Only admins may do this"}
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
	return &blogd.Error{Kind: blogd.KindForbidden, Detail: "You may change only your own account"}
}

// authorOrModerator returns the rule "the author of the resource at {id},
// a moderator or an admin"; author looks the author up (not found: 404).
func authorOrModerator(author func(ctx context.Context, s *server, id int64) (int64, error), forbidden string) rule {
	return func(ctx context.Context, s *server, c *blogd.Caller, param func(string) string) error {
		id, ok := pathID(param)
		if !ok || c.Admin || c.Moderator {
			return nil
		}
		owner, err := author(ctx, s, id)
		if err != nil || owner == c.ID {
			return err
		}
		return &blogd.Error{Kind: blogd.KindForbidden, Detail: forbidden}
	}
}

var (
	postAuthorOrModerator = authorOrModerator(func(ctx context.Context, s *server, id int64) (int64, error) {
		return s.store.PostAuthor(ctx, id)
	}, "You may change only your own posts")
	commentAuthorOrModerator = authorOrModerator(func(ctx context.Context, s *server, id int64) (int64, error) {
		return s.store.CommentAuthor(ctx, id)
	}, "You may change only your own comments")
)

// accessFor returns the access of op, and whether it needs a token; it
// panics for a write that the permissions table forgets.
func accessFor(op huma.Operation) (acc access, protected bool) {
	acc, ok := permissions[op.OperationID]
	if !ok && op.Method != http.MethodGet {
		panic(fmt.Sprintf("api: write operation %q has no entry in permissions", op.OperationID))
	}
	return acc, ok && !acc.public && !acc.optional
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
	h := tokenHash(token)
	c, ok := s.auth.callers.get(h, now)
	if !ok {
		var err error
		c, ok, err = s.store.Caller(ctx, h)
		if err != nil {
			s.log.ErrorContext(ctx, "authenticate", "err", err)
			return nil, errUnauthenticated
		}
		if ok {
			s.auth.callers.put(h, c, now)
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
// (forgetCallers); other instances on the same PostgreSQL see such a change
// within callerCacheTTL.
type callerCache struct {
	mu sync.RWMutex
	m  map[string]cachedCaller // by token hash
}

type cachedCaller struct {
	c     blogd.Caller
	until time.Time
}

const (
	callerCacheTTL  = time.Second
	callerCacheSize = 10_000
)

func (cc *callerCache) get(hash string, now time.Time) (blogd.Caller, bool) {
	cc.mu.RLock()
	e, ok := cc.m[hash]
	cc.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return blogd.Caller{}, false
	}
	return e.c, true
}

func (cc *callerCache) put(hash string, c blogd.Caller, now time.Time) {
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

// forgetCallers lists the operations after which cached callers may be
// wrong.
var forgetCallers = map[string]bool{
	"update-user": true, "delete-user": true,
	"assign-role": true, "unassign-role": true, "update-role": true, "delete-role": true,
}

// showEmail reports whether the caller of ctx may see the email of user id.
func showEmail(ctx context.Context, id int64) bool {
	c := callerOf(ctx)
	return c != nil && (c.Admin || c.ID == id)
}

// visible hides the emails of users that the caller of ctx may not see.
func visible(ctx context.Context, users ...blogd.User) []blogd.User {
	for i := range users {
		if !showEmail(ctx, users[i].ID) {
			users[i].Email = ""
		}
	}
	return users
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
		return &blogd.Error{Kind: blogd.KindForbidden, Detail: "You may write only as yourself"}
	}
	return nil
}

// Passwords.

// authConfig tunes sign-in.
type authConfig struct {
	ttl        time.Duration
	cost       int
	now        func() time.Time
	throttle   *throttle
	dummyHash  []byte        // compared against when the username is unknown, to take as long
	hashTokens chan struct{} // bounds the bcrypt work running at once
	callers    *callerCache
}

func newAuthConfig(cfg Config) *authConfig {
	a := &authConfig{ttl: cfg.TokenTTL, cost: cfg.PasswordCost, now: cfg.Now,
		hashTokens: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		callers:    &callerCache{m: map[string]cachedCaller{}}}
	if a.ttl <= 0 {
		a.ttl = time.Hour
	}
	if a.cost == 0 {
		a.cost = bcrypt.DefaultCost
	}
	if a.now == nil {
		a.now = time.Now
	}
	limit, window := cfg.LoginAttempts, cfg.LoginWindow
	if limit <= 0 {
		limit = 5
	}
	if window <= 0 {
		window = 15 * time.Minute
	}
	a.throttle = &throttle{limit: limit, window: window, now: a.now, fails: map[string]*failures{}}
	h, err := HashPassword("not a password of anyone", a.cost)
	if err != nil {
		panic(err) // only for a cost outside bcrypt's range, a programming error
	}
	a.dummyHash = []byte(h)
	return a
}

// HashPassword returns the bcrypt hash (at cost) of a password. bcrypt reads
// at most 72 bytes, so the password is first reduced to the base64 of its
// SHA-256: every one of its up to 256 characters counts.
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword(prehash(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// hashPassword hashes on at most as many goroutines as the bcrypt slots, so
// that a burst of sign-ups cannot starve the server of CPU.
func (s *server) hashPassword(ctx context.Context, password string) (string, error) {
	select {
	case s.auth.hashTokens <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.auth.hashTokens }()
	return HashPassword(password, s.auth.cost)
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// throttle counts failed sign-ins per username and blocks one that failed
// limit times within window until the window ends.
type throttle struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	count int
	first time.Time
}

// maxThrottled bounds the memory of the throttle.
const maxThrottled = 100_000

// blocked returns how long username must wait, or 0.
func (t *throttle) blocked(username string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[username]
	if f == nil || f.count < t.limit {
		return 0
	}
	if left := f.first.Add(t.window).Sub(t.now()); left > 0 {
		return left
	}
	delete(t.fails, username)
	return 0
}

func (t *throttle) fail(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f := t.fails[username]
	if f == nil || now.Sub(f.first) > t.window {
		if len(t.fails) >= maxThrottled {
			for k, v := range t.fails {
				if now.Sub(v.first) > t.window {
					delete(t.fails, k)
				}
			}
		}
		if len(t.fails) >= maxThrottled {
			return // full of live entries: fail open rather than grow
		}
		f = &failures{first: now}
		t.fails[username] = f
	}
	f.count++
}

func (t *throttle) reset(username string) {
	t.mu.Lock()
	delete(t.fails, username)
	t.mu.Unlock()
}

// The token endpoint: OAuth2's password flow, a form post, so it is a plain
// handler documented by hand in the OpenAPI document.

const tokenPath = "/auth/token"

func (s *server) tokenHandler(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		writeProblemModel(w, &huma.ErrorModel{Title: http.StatusText(http.StatusUnsupportedMediaType), Status: http.StatusUnsupportedMediaType, Detail: "validation failed",
			Errors: []*huma.ErrorDetail{{Location: "body", Message: "send a form: Content-Type: application/x-www-form-urlencoded"}}})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooBig):
			writeProblem(w, http.StatusRequestEntityTooLarge, "request body is too large")
			return
		case errors.As(err, &netErr) && netErr.Timeout():
			writeProblem(w, http.StatusRequestTimeout, "request body read timeout")
			return
		}
		writeProblemModel(w, &huma.ErrorModel{Title: http.StatusText(http.StatusUnprocessableEntity), Status: http.StatusUnprocessableEntity, Detail: "validation failed",
			Errors: []*huma.ErrorDetail{{Location: "body", Message: "malformed form"}}})
		return
	}
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	m := &huma.ErrorModel{Title: http.StatusText(http.StatusUnprocessableEntity), Status: http.StatusUnprocessableEntity, Detail: "validation failed"}
	if username == "" {
		m.Errors = append(m.Errors, &huma.ErrorDetail{Location: "body.username", Message: "required field is missing"})
	}
	if password == "" {
		m.Errors = append(m.Errors, &huma.ErrorDetail{Location: "body.password", Message: "required field is missing"})
	}
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "password" {
		m.Errors = append(m.Errors, &huma.ErrorDetail{Location: "body.grant_type", Message: "only the password grant is supported", Value: gt})
	}
	if len(username) > 256 || len(password) > 256 {
		m.Errors = append(m.Errors, &huma.ErrorDetail{Location: "body", Message: "username and password are at most 256 characters"})
	}
	if len(m.Errors) > 0 {
		writeProblemModel(w, m)
		return
	}
	if wait := s.auth.throttle.blocked(username); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeProblem(w, http.StatusTooManyRequests, "Too many failed sign-ins for this username; try again later")
		return
	}
	ctx := r.Context()
	creds, found, err := s.store.Credentials(ctx, username)
	if err != nil {
		s.log.ErrorContext(ctx, "sign-in", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal server error")
		return
	}
	// The same bcrypt work whether the user exists or not: the answer's
	// timing tells nothing about which usernames exist.
	hash := s.auth.dummyHash
	if found && creds.PasswordHash != "" {
		hash = []byte(creds.PasswordHash)
	}
	match := bcrypt.CompareHashAndPassword(hash, prehash(password)) == nil
	if !found || creds.PasswordHash == "" || !match {
		s.auth.throttle.fail(username)
		w.Header().Set("WWW-Authenticate", `Bearer realm="blogd"`)
		writeProblem(w, http.StatusUnauthorized, "Incorrect username or password")
		return
	}
	s.auth.throttle.reset(username)
	token, err := newToken()
	if err == nil {
		err = s.store.CreateToken(ctx, creds.UserID, tokenHash(token), s.auth.now().Add(s.auth.ttl))
	}
	if err != nil {
		s.log.ErrorContext(ctx, "sign-in", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal server error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(blogd.Token{AccessToken: token, TokenType: "bearer", ExpiresIn: int(s.auth.ttl.Seconds())})
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// documentAuth adds the security schemes and the token endpoint, which is
// not a huma operation, to the OpenAPI document.
func documentAuth(o *huma.OpenAPI) {
	if o.Components.SecuritySchemes == nil {
		o.Components.SecuritySchemes = map[string]*huma.SecurityScheme{}
	}
	o.Components.SecuritySchemes[schemeOAuth2] = &huma.SecurityScheme{
		Type:        "oauth2",
		Description: "Sign in with a username and password; the docs page asks for them under Authorize.",
		Flows:       &huma.OAuthFlows{Password: &huma.OAuthFlow{TokenURL: tokenPath, Scopes: map[string]string{}}},
	}
	o.Components.SecuritySchemes[schemeBearer] = &huma.SecurityScheme{
		Type: "http", Scheme: "bearer", Description: "A token from POST /auth/token.",
	}
	reg := o.Components.Schemas
	problem := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			problemContentType: {Schema: reg.Schema(reflect.TypeOf(huma.ErrorModel{}), true, "")},
		}}
	}
	form := &huma.Schema{Type: "object", Required: []string{"username", "password"}, Properties: map[string]*huma.Schema{
		"username":   {Type: "string", MaxLength: intPtr(256), Examples: []any{"ada"}},
		"password":   {Type: "string", MaxLength: intPtr(256), Examples: []any{"correct horse battery staple"}},
		"grant_type": {Type: "string", Enum: []any{"password"}},
		"scope":      {Type: "string", Description: "ignored"},
		"client_id":  {Type: "string", Description: "ignored"},
	}}
	o.AddOperation(&huma.Operation{
		OperationID: "create-token", Method: http.MethodPost, Path: tokenPath, Tags: []string{tagUsers},
		Summary: "Sign in: trade a username and password for a bearer token (OAuth2 password flow)",
		Description: "Repeated failures for one username are throttled: 429 with Retry-After. " +
			"Every failure says the same, whether the username exists or not.",
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/x-www-form-urlencoded": {Schema: form},
		}},
		Responses: map[string]*huma.Response{
			"200": {Description: "A bearer token", Content: map[string]*huma.MediaType{
				"application/json": {Schema: reg.Schema(reflect.TypeOf(blogd.Token{}), true, "")},
			}},
			"401": problem("Incorrect username or password."),
			"408": problem("The request body did not arrive within the server's read timeout."),
			"413": problem("The request body is larger than 1 MiB."),
			"415": problem("The body is not a form (application/x-www-form-urlencoded)."),
			"422": problem("A field is missing or too long, or grant_type is not password."),
			"429": problem("Too many failed sign-ins for this username: wait Retry-After seconds."),
			"500": problem("An unexpected failure; the server logs it and reveals nothing of it."),
		},
	})
}

func intPtr(n int) *int { return &n }
