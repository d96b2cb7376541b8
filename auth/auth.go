// Package auth answers "who is calling, and may they do this here?" for both the JSON
// API and the web pages: it resolves the caller from a bearer token or a session
// cookie, logs people in with rate limiting, and holds the one scope check every
// handler uses.
package auth

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"mesh"
	"mesh/account"
)

// CookieName is the session cookie.
const CookieName = "mesh_session"

// Login limits: more failures than these in the window answer 429 until it passes.
const (
	MaxFailuresPerUser = 10
	MaxFailuresPerIP   = 30
	FailureWindow      = 15 * time.Minute
)

// Caller is an authenticated user and the area they may see.
type Caller struct {
	User  *account.User
	Scope account.Scope
}

type callerKey struct{}

// CallerFrom returns the request's caller, or nil for an anonymous request.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// WithCaller returns ctx carrying c and c's user as the actor of writes.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	ctx = context.WithValue(ctx, callerKey{}, c)
	return mesh.WithActor(ctx, c.User.Actor())
}

// Authenticator resolves callers and logs users in.
type Authenticator struct {
	Store account.Store
	// SecureCookies marks cookies Secure; on when serving TLS or behind a TLS proxy.
	SecureCookies bool
	Now           func() time.Time

	// cache keeps resolved callers for CacheTTL: a phone syncing a batch or a page
	// loading its parts asks for the same token many times a second, and resolving it
	// costs three queries. A revoked session (logout here, a password change, a
	// deactivated user) stops working within CacheTTL at most; logout on this server
	// is immediate.
	mu    sync.Mutex
	cache map[string]cachedCaller
}

// CacheTTL bounds how long a resolved session is reused without asking the database.
const CacheTTL = 2 * time.Second

type cachedCaller struct {
	caller *Caller
	until  time.Time
}

// lookup returns the caller for a token hash, from the cache when fresh.
func (a *Authenticator) lookup(ctx context.Context, hash string) *Caller {
	now := time.Now()
	a.mu.Lock()
	c, ok := a.cache[hash]
	a.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.caller
	}
	_, u, err := a.Store.FindSession(ctx, hash)
	if err != nil {
		a.Forget(hash)
		return nil
	}
	scope, err := a.Store.ScopeOf(ctx, u)
	if err != nil {
		return nil
	}
	caller := &Caller{User: u, Scope: scope}
	a.mu.Lock()
	if a.cache == nil || len(a.cache) > 10000 {
		a.cache = map[string]cachedCaller{} // bounded: start afresh rather than track age
	}
	a.cache[hash] = cachedCaller{caller: caller, until: now.Add(CacheTTL)}
	a.mu.Unlock()
	return caller
}

// Forget drops a token hash from the cache (call it when a session is revoked).
func (a *Authenticator) Forget(hash string) {
	a.mu.Lock()
	delete(a.cache, hash)
	a.mu.Unlock()
}

// New returns an Authenticator over store.
func New(store account.Store, secure bool) *Authenticator {
	return &Authenticator{Store: store, SecureCookies: secure, Now: time.Now}
}

// Middleware attaches the caller (if any) to the request context. It never rejects:
// handlers decide with Check whether a caller is required.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token := Token(r); token != "" {
			if c := a.lookup(r.Context(), account.HashToken(token)); c != nil {
				r = r.WithContext(WithCaller(r.Context(), c))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Token is the credential the request carries: its bearer token, else its session
// cookie. Revoking exactly this one (see api's DELETE /auth/token) must parse it the
// same way the middleware does, or a token sent as "Bearer  x " would be reported
// revoked while it still works.
func Token(r *http.Request) string {
	if t := bearerToken(r); t != "" {
		return t
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// Login checks a username and password, with rate limiting by user and by address.
// A wrong username and a wrong password give the same error after the same work.
func (a *Authenticator) Login(ctx context.Context, username, password, ip string) (*account.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	byUser, byIP, err := a.Store.RecentLoginFailures(ctx, username, ip, a.Now().Add(-FailureWindow))
	if err != nil {
		return nil, err
	}
	if byUser >= MaxFailuresPerUser || byIP >= MaxFailuresPerIP {
		return nil, mesh.Errorf(ETOOMANY, "too many failed logins: wait 15 minutes and try again")
	}
	u, err := a.Store.FindUserByUsername(ctx, username)
	ok := false
	if err == nil && u.Active {
		ok = account.CheckPassword(u.PasswordHash, password)
	} else {
		account.CheckAgainstDummy(password)
	}
	if err := a.Store.RecordLogin(ctx, username, ip, ok); err != nil {
		return nil, err
	}
	if !ok {
		return nil, mesh.Errorf(mesh.EUNAUTHORIZED, "wrong username or password")
	}
	return u, nil
}

// ETOOMANY is the code for rate-limited requests (HTTP 429).
const ETOOMANY = "too_many_requests"

// IssueToken creates an API token (kind "api") or a web session (kind "session").
func (a *Authenticator) IssueToken(ctx context.Context, u *account.User, kind string) (string, error) {
	token, hash, err := account.NewToken()
	if err != nil {
		return "", err
	}
	ttl := account.TokenTTL
	if kind == "session" {
		ttl = account.SessionTTL
	}
	ctx = mesh.WithActor(ctx, u.Actor())
	err = a.Store.CreateSession(ctx, &account.Session{TokenHash: hash, UserID: u.ID, Kind: kind, ExpiresAt: a.Now().Add(ttl).UTC()})
	return token, err
}

// SetSessionCookie gives the browser its session cookie: HttpOnly so scripts cannot
// read it, SameSite=Lax so other sites cannot post with it, Secure behind TLS.
func (a *Authenticator) SetSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true,
		Secure: a.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: int(account.SessionTTL.Seconds())})
}

// Logout ends the request's session and clears the cookie.
func (a *Authenticator) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		hash := account.HashToken(c.Value)
		a.Forget(hash)
		_ = a.Store.DeleteSession(r.Context(), hash)
		a.Forget(hash) // again: a request in flight may have cached it meanwhile
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true,
		Secure: a.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// ClientIP is the address used for login rate limiting.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Check is the one access check: it fails with EUNAUTHORIZED for an anonymous caller,
// EFORBIDDEN when the role lacks the permission, and EFORBIDDEN when placePath (the
// record's place) lies outside the caller's area. An empty placePath checks the role
// only; list handlers then filter by Caller.Scope.Under().
func Check(c *Caller, p account.Permission, placePath string) error {
	if c == nil || c.User == nil {
		return mesh.Errorf(mesh.EUNAUTHORIZED, "log in first")
	}
	if !account.Can(c.User, p) {
		return mesh.Errorf(mesh.EFORBIDDEN, "your role (%s) may not do this", c.User.Role)
	}
	if placePath != "" && !c.Scope.Contains(placePath) {
		return mesh.Errorf(mesh.EFORBIDDEN, "this record is outside your area")
	}
	return nil
}

// ForgetAll empties the cache; called when a user's password, role, area or active
// flag changes, so the change holds at once on this server.
func (a *Authenticator) ForgetAll() {
	a.mu.Lock()
	a.cache = nil
	a.mu.Unlock()
}
