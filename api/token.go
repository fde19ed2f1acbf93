package api

// Sign-in: passwords, the throttle of failed sign-ins, the token endpoint
// (OAuth2's password flow) and its OpenAPI description. Who may do what once
// signed in is auth.go.

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
	"strconv"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/password"
	"github.com/blogd/blogd/store"
	"github.com/danielgtaylor/huma/v2"
)

// authConfig tunes sign-in.
type authConfig struct {
	ttl        time.Duration
	cost       int
	now        func() time.Time
	throttle   *throttle
	dummyHash  string        // compared against when the username is unknown, to take as long
	hashTokens chan struct{} // bounds the bcrypt work running at once
	callers    *callerCache
}

func newAuthConfig(cfg Config) *authConfig {
	a := &authConfig{ttl: cfg.TokenTTL, cost: cfg.PasswordCost, now: cfg.Now,
		hashTokens: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		callers:    &callerCache{m: map[[sha256.Size]byte]cachedCaller{}}}
	if a.ttl <= 0 {
		a.ttl = time.Hour
	}
	if a.cost == 0 {
		a.cost = password.DefaultCost
	}
	if a.now == nil {
		a.now = time.Now
	}
	limit, userLimit, window := cfg.LoginAttempts, cfg.LoginAttemptsPerUser, cfg.LoginWindow
	if limit <= 0 {
		limit = 5
	}
	if userLimit <= 0 {
		userLimit = 100
	}
	if window <= 0 {
		window = 15 * time.Minute
	}
	a.throttle = &throttle{store: cfg.Store, limit: limit, userLimit: userLimit, window: window, now: a.now}
	h, err := password.Hash("not a password of anyone", a.cost)
	if err != nil {
		panic(err) // only for a cost outside bcrypt's range, a programming error
	}
	a.dummyHash = h
	return a
}

// hashPassword hashes on at most as many goroutines as the bcrypt slots, so
// that a burst of sign-ups cannot starve the server of CPU.
func (s *server) hashPassword(ctx context.Context, pw string) (string, error) {
	select {
	case s.auth.hashTokens <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.auth.hashTokens }()
	return password.Hash(pw, s.auth.cost)
}

// tokenHash is how the database knows a token: the hex of its SHA-256.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// throttle slows password guessing without handing anyone a way to lock a
// user out. Failures are counted per username and client address: limit of
// them within window block that pair alone, so an attacker slows only
// himself. A slower limit over every address (userLimit failures for one
// username within window) answers a guesser with many addresses: past it,
// each address that has already failed for that username is blocked until
// the window ends, while an address with no failure (the owner's, most
// likely) still signs in. The counts are in the database
// (store/signin.go), so that every process serving it throttles the same
// failures: N processes do not allow N times the guesses.
type throttle struct {
	store     *store.Store
	limit     int
	userLimit int
	window    time.Duration
	now       func() time.Time
}

// blocked returns how long the client at addr must wait before it tries
// username again, or 0, and whether it has failures counted (which a
// sign-in then clears: without any, there is nothing to write).
func (t *throttle) blocked(ctx context.Context, username, addr string) (wait time.Duration, failed bool, err error) {
	now := t.now()
	pair, user, err := t.store.SignInFailuresOf(ctx, username, addr, now.Add(-t.window))
	switch {
	case err != nil:
		return 0, false, err
	case pair.Count >= t.limit:
		return pair.First.Add(t.window).Sub(now), true, nil
	case pair.Count > 0 && user.Count >= t.userLimit:
		return user.First.Add(t.window).Sub(now), true, nil
	}
	return 0, pair.Count > 0, nil
}

// fail counts a failed sign-in of username from addr.
func (t *throttle) fail(ctx context.Context, username, addr string) error {
	now := t.now()
	return t.store.RecordSignInFailure(ctx, username, addr, now, now.Add(-t.window))
}

// reset forgets the failures of username from addr, after it signed in.
func (t *throttle) reset(ctx context.Context, username, addr string) error {
	return t.store.ClearSignInFailures(ctx, username, addr)
}

// verifyPassword checks the password of username. It does the same bcrypt
// work whether the user exists or not, so that the answer's timing tells
// nothing about which usernames exist.
func (s *server) verifyPassword(ctx context.Context, username, pw string) (userID int64, ok bool, err error) {
	creds, found, err := s.store.Credentials(ctx, username)
	if err != nil {
		return 0, false, err
	}
	hash := s.auth.dummyHash
	if found && creds.PasswordHash != "" {
		hash = creds.PasswordHash
	}
	match := password.Matches(hash, pw)
	return creds.UserID, found && creds.PasswordHash != "" && match, nil
}

// The token endpoint: OAuth2's password flow, a form post, so it is a plain
// handler documented by hand in the OpenAPI document.

const tokenPath = "/auth/token"

const msgNotForm = "the body must be a form: send Content-Type: application/x-www-form-urlencoded"

func (s *server) tokenHandler(w http.ResponseWriter, r *http.Request) {
	username, password, bad := readTokenForm(w, r)
	if bad != nil {
		writeProblemModel(w, bad)
		return
	}
	addr := clientAddr(r)
	ctx := r.Context()
	wait, failed, err := s.auth.throttle.blocked(ctx, username, addr)
	if err != nil {
		s.log.ErrorContext(ctx, "sign-in", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal server error")
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeProblem(w, http.StatusTooManyRequests, msgSignInThrottled)
		return
	}
	userID, ok, err := s.verifyPassword(ctx, username, password)
	if err == nil && !ok {
		err = s.auth.throttle.fail(ctx, username, addr)
	} else if err == nil && failed {
		err = s.auth.throttle.reset(ctx, username, addr)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "sign-in", "err", err)
		writeProblem(w, http.StatusInternalServerError, "internal server error")
		return
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="blogd"`)
		writeProblem(w, http.StatusUnauthorized, msgBadCredentials)
		return
	}
	token, err := newToken()
	if err == nil {
		err = s.store.CreateToken(ctx, userID, tokenHash(token), s.auth.now().Add(s.auth.ttl))
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

// readTokenForm reads the username and password of a sign-in form, or
// the problem that the form has.
func readTokenForm(w http.ResponseWriter, r *http.Request) (username, password string, _ *huma.ErrorModel) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return "", "", problem(http.StatusUnsupportedMediaType, msgNotForm,
			&huma.ErrorDetail{Location: "body", Message: "send a form: Content-Type: application/x-www-form-urlencoded"})
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooBig):
			return "", "", problem(http.StatusRequestEntityTooLarge, "request body is too large")
		case errors.As(err, &netErr) && netErr.Timeout():
			return "", "", problem(http.StatusRequestTimeout, "request body read timeout")
		}
		return "", "", problem(http.StatusUnprocessableEntity, msgValidationFailed,
			&huma.ErrorDetail{Location: "body", Message: "malformed form"})
	}
	username, password = r.PostForm.Get("username"), r.PostForm.Get("password")
	m := problem(http.StatusUnprocessableEntity, msgValidationFailed)
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
		return "", "", m
	}
	return username, password, nil
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
		Description: "Repeated failures for one username from one client address are throttled: 429 with Retry-After. " +
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
			"429": problem("Too many failed sign-ins for this username from this address: wait Retry-After seconds."),
			"500": problem("An unexpected failure; the server logs it and reveals nothing of it."),
		},
	})
}

func intPtr(n int) *int { return &n }
