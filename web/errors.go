package web

import (
	"net/http"
	"net/url"
	"strings"

	"mesh"
	"mesh/auth"
	"mesh/i18n"
)

// statusFor maps the project's error codes to HTTP statuses for pages.
var statusFor = map[string]int{
	mesh.EINVALID:      http.StatusBadRequest,
	mesh.EUNAUTHORIZED: http.StatusUnauthorized,
	mesh.EFORBIDDEN:    http.StatusForbidden,
	mesh.ENOTFOUND:     http.StatusNotFound,
	mesh.ECONFLICT:     http.StatusConflict,
	mesh.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	auth.ETOOMANY:      http.StatusTooManyRequests,
}

func statusOf(err error) int {
	if st, ok := statusFor[mesh.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// ErrorPage explains why a page cannot be shown, in the reader's language.
type ErrorPage struct {
	Page
	Status  int
	Message string // a message key
}

// errorKeys are the explanations per status; the store's English messages are never
// shown on pages, so nothing of the database leaks and everything is translated.
var errorKeys = map[int]string{
	http.StatusBadRequest:            "error.bad_request",
	http.StatusForbidden:             "error.forbidden",
	http.StatusNotFound:              "error.not_found",
	http.StatusConflict:              "error.conflict",
	http.StatusRequestEntityTooLarge: "error.too_large",
	http.StatusTooManyRequests:       "error.too_many",
	http.StatusInternalServerError:   "error.internal",
}

// fail shows err as an error page. An anonymous visitor is sent to log in first
// (and back here afterwards); internal errors are logged and shown only as such.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusUnauthorized {
		redirect(w, r, "/login?next="+url.QueryEscape(here(r)))
		return
	}
	if status == http.StatusInternalServerError {
		s.Logger.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.errorPage(w, r, status)
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	key, ok := errorKeys[status]
	if !ok {
		key = "error.internal"
	}
	p := &ErrorPage{Page: s.page(w, r, "error.title"), Status: status, Message: key}
	s.render(w, r, status, "error", p)
}

// notFound answers every path no page claims.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound)
}

// Form carries a submitted form's problems, already translated: Errors by field
// name (the form's input names match the store's FieldError.Field), and General for
// problems that belong to no one field (e.g. a stale version).
type Form struct {
	Errors  map[string]string
	General string
}

// Err returns the message for field, "" when it is fine.
func (f Form) Err(field string) string { return f.Errors[field] }

// HasErrors reports whether anything is wrong.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 || f.General != "" }

// add records a problem with field (a message key).
func (f *Form) add(lang, field, key string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, dup := f.Errors[field]; !dup {
		f.Errors[field] = i18n.T(lang, key)
	}
}

// formError turns a store or validation error into a Form to show, placing each
// FieldError beside its input. ok is false when err is not about the input (then
// the caller shows an error page instead).
func formError(lang string, err error, fields map[string]bool) (f Form, status int, ok bool) {
	code := mesh.ErrorCode(err)
	if code != mesh.EINVALID && code != mesh.ECONFLICT {
		return f, 0, false
	}
	status = statusOf(err)
	for _, fe := range mesh.ErrorFields(err) {
		if fields[fe.Field] {
			f.add(lang, fe.Field, fieldErrorKey(fe))
		} else {
			f.General = i18n.T(lang, fieldErrorKey(fe))
		}
	}
	if len(mesh.ErrorFields(err)) == 0 {
		f.General = i18n.T(lang, generalKey(err, fields, &f, lang))
	}
	if f.General == "" && len(f.Errors) > 0 {
		// A summary at the top, announced by screen readers, points to the fields.
		f.General = i18n.T(lang, "error.fix_below")
	}
	if code == mesh.EINVALID {
		status = http.StatusBadRequest
	}
	return f, status, true
}

// generalKey explains an error without field errors: a stale version, or a unique key
// (code, DHIS2 uid) another record already holds, which is placed on its field.
func generalKey(err error, fields map[string]bool, f *Form, lang string) string {
	msg := mesh.ErrorMessage(err)
	switch {
	case strings.Contains(msg, "changed by someone else"):
		return "error.stale"
	case mesh.ErrorCode(err) == mesh.ECONFLICT:
		for _, field := range []string{"dhis2_uid", "code", "username"} {
			if fields[field] && strings.Contains(msg, field) {
				f.add(lang, field, "err.DUPLICATE")
				return "error.fix_below"
			}
		}
		return "error.duplicate"
	}
	return "error.bad_request"
}

// fieldErrorKey picks the most specific message key for a field error:
// err.FIELD.CODE, then err.date for bad dates, then err.CODE.
func fieldErrorKey(fe mesh.FieldError) string {
	if k := "err." + fe.Field + "." + fe.Code; i18n.Has(i18n.Default, k) {
		return k
	}
	if fe.Code == "INVALID_FORMAT" && strings.HasSuffix(fe.Field, "_on") {
		return "err.date"
	}
	if k := "err." + fe.Code; i18n.Has(i18n.Default, k) {
		return k
	}
	return "err.invalid"
}

// fieldSet makes the set of a form's input names.
func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
