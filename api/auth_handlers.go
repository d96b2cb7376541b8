package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/auth"
)

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// createToken exchanges a username and password for an API bearer token.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	var missing []mesh.FieldError
	if req.Username == "" {
		missing = append(missing, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "username", Message: "username is required"})
	}
	if req.Password == "" {
		missing = append(missing, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "password", Message: "password is required"})
	}
	if len(missing) > 0 {
		s.fail(w, r, mesh.Invalid(missing...))
		return
	}
	u, err := s.Auth.Login(r.Context(), req.Username, req.Password, auth.ClientIP(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, err := s.Auth.IssueToken(r.Context(), u, "api")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "user": u})
}

// deleteToken revokes the bearer token the request carries.
func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	// The credential the caller was resolved from (bearer token or session cookie),
	// parsed as the middleware parses it.
	hash := hashBearer(auth.Token(r))
	s.Auth.Forget(hash)
	if err := s.Store.DeleteSession(r.Context(), hash); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Auth.Forget(hash) // again: a request in flight may have cached it meanwhile
	w.WriteHeader(http.StatusNoContent)
}

// me returns the caller's account.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if c == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": c.User, "scope_paths": c.Scope.Paths, "scope_all": c.Scope.All})
}

func hashBearer(token string) string { return account.HashToken(token) }
