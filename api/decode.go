package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
)

// decode reads a JSON body strictly into v: unknown fields, wrong types and trailing
// data are 400s naming the field; a body over the limit is a 413.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	limit := s.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	return DecodeJSON(http.MaxBytesReader(w, r.Body, limit), v)
}

// DecodeJSON decodes one JSON value strictly from body into v.
func DecodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		// Anything after the value, even a lone "}", is an error: dec.More would not see
		// a closing bracket (found by FuzzSyncUpload).
		if _, terr := dec.Token(); terr != io.EOF {
			return mesh.Invalid(mesh.FieldError{Code: "MALFORMED_JSON", Field: "$", Message: "the body must hold one JSON object and nothing after it"})
		}
		return nil
	}
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return &mesh.Error{Code: mesh.ETOOLARGE, Message: fmt.Sprintf("the body is larger than %d bytes", maxErr.Limit),
			Fields: []mesh.FieldError{{Code: "TOO_LARGE", Field: "$", Message: fmt.Sprintf("the body is larger than %d bytes", maxErr.Limit)}}}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "$"
		}
		return mesh.Invalid(mesh.FieldError{Code: "WRONG_TYPE", Field: field, Message: fmt.Sprintf("%s must be a %s, not a %s", field, jsonType(typeErr.Type.String()), typeErr.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return mesh.Invalid(mesh.FieldError{Code: "UNKNOWN_FIELD", Field: name, Message: "unknown field " + name})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return mesh.Invalid(mesh.FieldError{Code: "MALFORMED_JSON", Field: "$", Message: "the body is not valid JSON"})
	}
	return mesh.Invalid(mesh.FieldError{Code: "MALFORMED_JSON", Field: "$", Message: "the body could not be read: " + err.Error()})
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "number"
	case goType == "bool" || goType == "*bool":
		return "boolean"
	case strings.Contains(goType, "string"), strings.Contains(goType, "Date"), strings.Contains(goType, "Role"), strings.Contains(goType, "Type"):
		return "string"
	}
	return "value of another type"
}

// pathID reads the {id} path segment as a positive integer.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "id", Message: "id must be a positive whole number"})
	}
	return id, nil
}

// queryInt reads an optional integer query parameter; nil when absent.
func queryInt(r *http.Request, name string) (*int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: name, Message: name + " must be a whole number"})
	}
	return &v, nil
}

// paging reads limit and offset.
func paging(r *http.Request) (limit, offset int, err error) {
	l, err := queryInt(r, "limit")
	if err != nil {
		return 0, 0, err
	}
	o, err := queryInt(r, "offset")
	if err != nil {
		return 0, 0, err
	}
	if l != nil {
		if *l < 1 || *l > 1000 {
			return 0, 0, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "limit", Message: "limit must be between 1 and 1000"})
		}
		limit = int(*l)
	}
	if o != nil {
		if *o < 0 {
			return 0, 0, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "offset", Message: "offset must not be negative"})
		}
		offset = int(*o)
	}
	return limit, offset, nil
}

// queryDate reads an optional YYYY-MM-DD query parameter.
func queryDate(r *http.Request, name string) (mesh.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return "", nil
	}
	d, err := mesh.ParseDate(s)
	if err != nil {
		return "", mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: name, Message: name + " must be a date in YYYY-MM-DD form"})
	}
	return d, nil
}

// writeList writes a JSON array and the total count in X-Total-Count, so lists stay
// plain arrays while paging clients still know how many there are.
func writeList[T any](w http.ResponseWriter, items []T, total int) {
	if items == nil {
		items = []T{}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	writeJSON(w, http.StatusOK, items)
}

// loadInArea fetches a record with find and checks the caller may act on it with p
// where it lies (path); the role is checked first, so a forbidden role causes no
// lookup. On failure it has written the error answer and returns false.
func loadInArea[T any](s *Server, w http.ResponseWriter, r *http.Request, p account.Permission, find func() (T, error), path func(T) string) (T, bool) {
	var zero T
	err := auth.Check(caller(r), p, "")
	var v T
	if err == nil {
		v, err = find()
	}
	if err == nil {
		err = auth.Check(caller(r), p, path(v))
	}
	if err != nil {
		s.fail(w, r, err)
		return zero, false
	}
	return v, true
}

// byPathID adapts a find-by-integer-id store method to the {id} path segment.
func byPathID[T any](r *http.Request, find func(context.Context, int64) (T, error)) func() (T, error) {
	return func() (T, error) {
		id, err := pathID(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return find(ctx(r), id)
	}
}
