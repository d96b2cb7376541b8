package web

import (
	"net/http"

	"mesh"
	"mesh/auth"
	"mesh/i18n"
)

// LoginPage is the login form.
type LoginPage struct {
	Page
	Username string
	Next     string
	Form     Form
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/")
	if caller(r) != nil {
		redirect(w, r, next)
		return
	}
	s.render(w, r, http.StatusOK, "login", &LoginPage{Page: s.page(w, r, "login.title"), Next: next})
}

// login checks the credentials and starts a session. Whatever was wrong (unknown user,
// wrong password, inactive account) the answer is the same message, 401.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &LoginPage{Page: s.page(w, r, "login.title"), Username: formValue(r, "username"),
		Next: localPath(r.PostFormValue("next"), "/")}
	password := r.PostFormValue("password")
	if p.Username == "" || password == "" {
		if p.Username == "" {
			p.Form.add(p.Lang, "username", "err.MISSING_REQUIRED")
		}
		if password == "" {
			p.Form.add(p.Lang, "password", "err.MISSING_REQUIRED")
		}
		s.render(w, r, http.StatusBadRequest, "login", p)
		return
	}
	u, err := s.Auth.Login(r.Context(), p.Username, password, auth.ClientIP(r))
	switch mesh.ErrorCode(err) {
	case "":
	case auth.ETOOMANY:
		p.Form.General = i18n.T(p.Lang, "login.too_many")
		s.render(w, r, http.StatusTooManyRequests, "login", p)
		return
	case mesh.EUNAUTHORIZED:
		p.Form.General = i18n.T(p.Lang, "login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", p)
		return
	default:
		s.fail(w, r, err)
		return
	}
	token, err := s.Auth.IssueToken(r.Context(), u, "session")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Auth.SetSessionCookie(w, r, token)
	redirect(w, r, p.Next)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.Auth.Logout(w, r)
	redirect(w, r, "/login")
}

// setLanguage is the language switcher's target: it remembers the choice in a cookie
// and, for a logged-in user, in their profile (which wins over the cookie), then goes
// back to the page the switcher was on.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := i18n.Normalize(r.PostFormValue("lang"))
	if lang == "" {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	setLangCookie(w, r, lang)
	if c := caller(r); c != nil && c.User.Language != lang {
		if err := s.setUserLanguage(r, c.User.ID, lang); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	redirect(w, r, localPath(r.PostFormValue("next"), "/"))
}
