package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"mesh"
	"mesh/auth"
	"mesh/i18n"
)

// ErrorBody is the one error shape of the API: {"errors":[{code, field, message}]}.
type ErrorBody struct {
	Errors []mesh.FieldError `json:"errors"`
}

// statusFor maps the project's error codes to HTTP statuses, in one place.
var statusFor = map[string]int{
	mesh.EINVALID:        http.StatusBadRequest,
	mesh.EUNAUTHORIZED:   http.StatusUnauthorized,
	mesh.EFORBIDDEN:      http.StatusForbidden,
	mesh.ENOTFOUND:       http.StatusNotFound,
	mesh.ECONFLICT:       http.StatusConflict,
	mesh.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	auth.ETOOMANY:        http.StatusTooManyRequests,
	mesh.ENOTIMPLEMENTED: http.StatusNotImplemented,
}

// StatusFor returns the HTTP status for err.
func StatusFor(err error) int {
	if st, ok := statusFor[mesh.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// WriteError writes err as the JSON error body. Internal errors are logged and shown
// only as "internal error", so nothing of the database leaks to a caller.
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := mesh.ErrorCode(err)
	status := StatusFor(err)
	if status == http.StatusInternalServerError && logger != nil {
		logger.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	lang := RequestLanguage(r)
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		fields = []mesh.FieldError{{Code: strings.ToUpper(code), Message: i18n.ErrorMessage(lang, code, mesh.ErrorMessage(err))}}
	} else {
		fields = i18n.Localize(lang, fields)
	}
	writeJSON(w, status, ErrorBody{Errors: fields})
}

// writeFieldErrors writes field errors (400) with their messages in the caller's language.
func writeFieldErrors(w http.ResponseWriter, r *http.Request, errs []mesh.FieldError) {
	writeJSON(w, http.StatusBadRequest, ErrorBody{Errors: i18n.Localize(RequestLanguage(r), errs)})
}

func writeErrorCode(w http.ResponseWriter, r *http.Request, status int, code, field, msg string) {
	msg = i18n.FieldMessage(RequestLanguage(r), mesh.FieldError{Code: code, Field: field, Message: msg})
	writeJSON(w, status, ErrorBody{Errors: []mesh.FieldError{{Code: code, Field: field, Message: msg}}})
}

// RequestLanguage is the language of messages for the caller: the user's profile
// language, else the request's Accept-Language, else English. Codes and fields
// stay machine-readable whatever the language.
func RequestLanguage(r *http.Request) string {
	if r == nil {
		return i18n.Default
	}
	if c := auth.CallerFrom(r.Context()); c != nil && i18n.Normalize(c.User.Language) != "" {
		return i18n.Normalize(c.User.Language)
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	WriteError(w, r, s.Logger, err)
}

// writeJSON writes v with status; encoding errors can only be ours and are dropped
// after the header is out.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
