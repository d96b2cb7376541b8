package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/place"
)

// maxForm caps a form body; MESH forms are a few hundred bytes.
const maxForm = 64 << 10

func caller(r *http.Request) *auth.Caller { return auth.CallerFrom(r.Context()) }

// now is the clock; tests may pin it.
var now = time.Now

func nowIn() time.Time { return now().In(kigali) }

// today is the calendar day in the programme's time zone.
func today() mesh.Date { return mesh.DateOf(nowIn()) }

// pathID reads the {id} path segment; a malformed id is a page that does not exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, mesh.Errorf(mesh.ENOTFOUND, "no such record")
	}
	return id, nil
}

// parseForm reads a posted form within the size limit.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return mesh.Errorf(mesh.ETOOLARGE, "the form is larger than %d KiB", maxForm>>10)
		}
		return mesh.Errorf(mesh.EINVALID, "the form could not be read")
	}
	return nil
}

// formValue returns a trimmed form field.
func formValue(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

// optionalID parses an optional id field: nil when empty, an INVALID_FORMAT field
// error when not a positive whole number.
func optionalID(s, field string, errs *[]mesh.FieldError) *int64 {
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		*errs = append(*errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: field, Message: field + " must be chosen from the list"})
		return nil
	}
	return &id
}

// intField parses a whole number field, noting a field error when it is not one.
func intField(s, field string, errs *[]mesh.FieldError) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		*errs = append(*errs, mesh.FieldError{Code: "INVALID_NUMBER", Field: field, Message: field + " must be a whole number"})
	}
	return n
}

// dateField parses an optional YYYY-MM-DD field, noting a field error when malformed.
func dateField(s, field string, errs *[]mesh.FieldError) mesh.Date {
	if s == "" {
		return ""
	}
	d, err := mesh.ParseDate(s)
	if err != nil {
		*errs = append(*errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: field, Message: err.Error()})
		return mesh.Date(s)
	}
	return d
}

// versionField reads the hidden version of an edit form (nil when absent, which the
// store treats as "no check"; our forms always send it).
func versionField(r *http.Request) *int {
	v, err := strconv.Atoi(formValue(r, "version"))
	if err != nil {
		return nil
	}
	return &v
}

// queryInt reads an optional positive integer query parameter; 0 when absent or bad.
func queryInt(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// loadPlace fetches a place and checks the caller may act on it with p.
func (s *Server) loadPlace(r *http.Request, p account.Permission, id int64) (*place.OrgUnit, error) {
	if err := auth.Check(caller(r), p, ""); err != nil {
		return nil, err
	}
	o, err := s.Store.FindOrgUnitByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return o, auth.Check(caller(r), p, o.Path)
}

// checkFacility checks the caller may act with p at place id. A missing place is left
// for the store to report against its field, as the API does.
func (s *Server) checkFacility(r *http.Request, p account.Permission, id int64) error {
	f, err := s.Store.FindOrgUnitByID(r.Context(), id)
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	return auth.Check(caller(r), p, f.Path)
}

// loadInArea is the one shape of "fetch the {id} record and check the caller may act
// on it with p where it lies": the role is checked first, so a role without the
// permission causes no lookup, then the record's place.
func loadInArea[T any](r *http.Request, p account.Permission, find func() (T, error), path func(T) string) (T, error) {
	var zero T
	if err := auth.Check(caller(r), p, ""); err != nil {
		return zero, err
	}
	v, err := find()
	if err != nil {
		return zero, err
	}
	return v, auth.Check(caller(r), p, path(v))
}
