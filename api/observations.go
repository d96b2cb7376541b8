package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/metrics"
	"mesh/observation"
	"mesh/visit"
)

// ObservationInput is a case observation as a client sends it, with the optional
// version that allows changing a stored one (also accepted as ?version= or If-Match).
type ObservationInput struct {
	Body    []byte
	Version *int
}

// splitVersion takes "version" out of a JSON object body (it is not part of the
// observation itself) and returns the rest unchanged.
func splitVersion(body []byte) ([]byte, *int, error) {
	if !bytes.Contains(body, []byte(`"version"`)) {
		return body, nil, nil // the common case: no need to parse the body twice
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body, nil, nil // let the strict decoder report the malformed body
	}
	raw, ok := m["version"]
	if !ok {
		return body, nil, nil
	}
	var v int
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, nil, mesh.Invalid(mesh.FieldError{Code: "WRONG_TYPE", Field: "version", Message: "version must be a whole number"})
	}
	delete(m, "version")
	rest, _ := json.Marshal(m)
	return rest, &v, nil
}

// SaveObservation decodes, checks access, scores and stores one observation with
// client id id; shared by PUT and sync. It returns the record and whether it is new.
func (s *Server) SaveObservation(r *http.Request, id string, body []byte, version *int) (*observation.Record, bool, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteObservations, ""); err != nil {
		return nil, false, err
	}
	body, bodyVersion, err := splitVersion(body)
	if err != nil {
		return nil, false, err
	}
	if version == nil {
		version = bodyVersion
	}
	o, errs := observation.Decode(body)
	if !visit.ValidUUID(id) {
		errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "id", Message: "id must be a UUID made by the client"})
	} else if o.ID != "" && o.ID != id {
		errs = append(errs, mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "id", Message: "the id in the body differs from the id in the URL"})
	}
	if len(errs) > 0 {
		return nil, false, mesh.Invalid(errs...)
	}
	o.ID = id
	rec, err := s.placeObservation(r, o)
	if err != nil {
		return nil, false, err
	}
	created, err := s.Store.PutObservation(ctx(r), rec, version)
	if err == nil {
		outcome := "updated"
		if created {
			outcome = "created"
		} else if rec.Unchanged {
			outcome = "unchanged"
		}
		observationSaves.With(outcome).Inc()
	}
	return rec, created, err
}

// observationSaves counts stored observations (PUT and sync), for /metrics.
var observationSaves = metrics.Default.Counter("mesh_observation_saves_total",
	"Observations saved through PUT /api/v1/observations/{id} or sync, by outcome: created, updated, unchanged.", "outcome")

// placeObservation checks the visit and worker, scores the observation and fills the
// facility and month it counts in. What it checks is read in one query (the visit's
// facility, the worker's postings, where a stored observation under the same id
// counts), fresh on every save so the scope checks are exact.
func (s *Server) placeObservation(r *http.Request, o observation.Observation) (*observation.Record, error) {
	c := caller(r)
	p, err := s.Store.FindPlacement(ctx(r), o.ID, o.VisitID, o.HealthWorkerID)
	if err != nil {
		return nil, err
	}
	if !p.VisitFound {
		return nil, mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "visit_id", Message: "visit_id names no visit: save the visit first"})
	}
	if err := auth.Check(c, account.WriteObservations, p.Place.FacilityPath); err != nil {
		return nil, err
	}
	if p.StoredPath != "" {
		if err := auth.Check(c, account.WriteObservations, p.StoredPath); err != nil {
			return nil, err
		}
	}
	if !p.WorkerFound {
		return nil, mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "health_worker_id", Message: "health_worker_id names no health worker"})
	}
	if !p.WorkerPosted {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_REFERENCE", Field: "health_worker_id", Message: "this health worker is not posted at the visit's facility"})
	}
	rec, err := observation.Build(o, p.Place, observation.Options{TrainedOn: p.TrainedOn, Protocol: s.protocol()})
	if err != nil {
		return nil, prefixAssessment(err)
	}
	return rec, nil
}

// prefixAssessment names engine errors by their place in the observation body.
func prefixAssessment(err error) error {
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make([]mesh.FieldError, len(fields))
	for i, f := range fields {
		out[i] = f
		if f.Field != "" && f.Field[0] != '$' && !hasPrefix(f.Field, "assessment") && !hasPrefix(f.Field, "measurements") {
			out[i].Field = "assessment." + f.Field
		}
	}
	return mesh.Invalid(out...)
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func (s *Server) putObservation(w http.ResponseWriter, r *http.Request) {
	limit := s.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		s.fail(w, r, &mesh.Error{Code: mesh.ETOOLARGE, Message: "the body is too large",
			Fields: []mesh.FieldError{{Code: "TOO_LARGE", Field: "$", Message: "the body is larger than the limit"}}})
		return
	}
	version, err := requestVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, created, err := s.SaveObservation(r, r.PathValue("id"), body, version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeRecord(w, status, rec)
}

// writeRecord answers with an observation record; a fresh one is assembled from the
// JSON made for its stored row instead of being encoded a second time.
func writeRecord(w http.ResponseWriter, status int, rec *observation.Record) {
	b, err := rec.AppendJSON(make([]byte, 0, 8192))
	if err != nil {
		writeJSON(w, status, rec)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// requestVersion reads an optional version from ?version= or an If-Match header.
func requestVersion(r *http.Request) (*int, error) {
	s := r.URL.Query().Get("version")
	if s == "" {
		s = trimQuotes(r.Header.Get("If-Match"))
	}
	if s == "" {
		return nil, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "version", Message: "version must be a whole number"})
	}
	return &v, nil
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// loadObservation fetches {id} and checks the caller may see named per-worker results.
func (s *Server) loadObservation(w http.ResponseWriter, r *http.Request, p account.Permission) (*observation.Record, bool) {
	return loadInArea(s, w, r, p, func() (*observation.Record, error) { return s.Store.FindObservationByID(ctx(r), r.PathValue("id")) },
		func(rec *observation.Record) string { return rec.FacilityPath })
}

func (s *Server) getObservation(w http.ResponseWriter, r *http.Request) {
	if rec, ok := s.loadObservation(w, r, account.ReadObservations); ok {
		writeJSON(w, http.StatusOK, rec)
	}
}

// voidObservation takes an observation out of the indicators (entered in error).
func (s *Server) voidObservation(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.loadObservation(w, r, account.WriteObservations); !ok {
		return
	}
	rec, err := s.Store.VoidObservation(ctx(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Server) listObservations(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadObservations, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := observation.Filter{Under: c.Scope.Under()}
	if v := r.URL.Query().Get("visit_id"); v != "" {
		f.VisitID = &v
	}
	var err error
	if f.HealthWorkerID, err = queryInt(r, "health_worker_id"); err == nil {
		if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
			f.Limit, f.Offset, err = paging(r)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindObservations(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// competency answers a worker's standing per domain (observation.md §4) with the
// window and streak from ?n= and ?streak= (defaults 5 and 3).
func (s *Server) competency(w http.ResponseWriter, r *http.Request) {
	hw, ok := s.loadWorker(w, r, account.ReadObservations)
	if !ok {
		return
	}
	n, err := queryInt(r, "n")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	streak, err := queryInt(r, "streak")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, _, err := s.Store.FindObservations(ctx(r), observation.Filter{HealthWorkerID: &hw.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	history := make([]observation.ScoredObservation, len(list))
	for i, rec := range list {
		history[i] = observation.ScoredObservation{ObservedAt: rec.ObservedAt, Score: rec.Score}
	}
	writeJSON(w, http.StatusOK, map[string]any{"health_worker_id": hw.ID, "observations": len(list),
		"domains": observation.Competency(history, intOr(n, 0), intOr(streak, 0))})
}

func intOr(p *int64, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}
