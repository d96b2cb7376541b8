package api

import (
	"net/http"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/readiness"
)

// checklist is the deployment's readiness checklist.
func (s *Server) checklist() readiness.Checklist {
	if s.Checklist != nil {
		return *s.Checklist
	}
	return readiness.DefaultChecklist()
}

func (s *Server) getChecklist(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadReadiness, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.checklist())
}

// checkInput is a readiness check as a client sends it; id is the client's UUID.
type checkInput struct {
	ID         string             `json:"id"`
	FacilityID int64              `json:"facility_id"`
	VisitID    string             `json:"visit_id"`
	Date       mesh.Date          `json:"date"`
	Answers    []readiness.Answer `json:"answers"`
	Notes      string             `json:"notes"`
	Version    *int               `json:"version"`
}

// guardExisting refuses to touch a stored record outside the caller's area, whatever
// facility the new content names.
func guardExisting(c *auth.Caller, p account.Permission, path string, err error) error {
	if err == nil {
		return auth.Check(c, p, path)
	}
	return nil
}

// SaveCheck checks access and stores a readiness check; shared by POST, PUT and sync.
func (s *Server) SaveCheck(r *http.Request, in checkInput) (*readiness.Check, bool, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteReadiness, ""); err != nil {
		return nil, false, err
	}
	if err := s.checkFacility(r, account.WriteReadiness, in.FacilityID); err != nil {
		return nil, false, err
	}
	old, err := s.Store.FindCheckByID(ctx(r), strings.ToLower(in.ID))
	var path string
	if err == nil {
		path = old.FacilityPath
	}
	if err := guardExisting(c, account.WriteReadiness, path, err); err != nil {
		return nil, false, err
	}
	chk := &readiness.Check{ID: in.ID, FacilityID: in.FacilityID, VisitID: in.VisitID, Date: in.Date, Answers: in.Answers, Notes: in.Notes}
	created, err := s.Store.PutCheck(ctx(r), chk, s.checklist(), in.Version)
	return chk, created, err
}

// idFromPath puts the URL's id into a body that may omit it, and refuses a body
// naming another id.
func idFromPath(r *http.Request, id *string) error {
	if *id == "" {
		*id = r.PathValue("id")
	} else if !strings.EqualFold(*id, r.PathValue("id")) {
		return mesh.Invalid(mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "id", Message: "the id in the body differs from the id in the URL"})
	}
	return nil
}

func (s *Server) postCheck(w http.ResponseWriter, r *http.Request) { s.writeCheck(w, r, false) }
func (s *Server) putCheck(w http.ResponseWriter, r *http.Request)  { s.writeCheck(w, r, true) }

func (s *Server) writeCheck(w http.ResponseWriter, r *http.Request, byPath bool) {
	var in checkInput
	err := s.decode(w, r, &in)
	if err == nil && byPath {
		err = idFromPath(r, &in.ID)
	}
	var chk *readiness.Check
	var created bool
	if err == nil {
		chk, created, err = s.SaveCheck(r, in)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(created), chk)
}

func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) getCheck(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadReadiness, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	chk, err := s.Store.FindCheckByID(ctx(r), strings.ToLower(r.PathValue("id")))
	if err == nil {
		err = auth.Check(c, account.ReadReadiness, chk.FacilityPath)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, chk)
}

func (s *Server) listChecks(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadReadiness, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := readiness.CheckFilter{Under: c.Scope.Under(), VisitID: strings.ToLower(r.URL.Query().Get("visit_id"))}
	var err error
	if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
		if f.From, err = queryDate(r, "from"); err == nil {
			if f.To, err = queryDate(r, "to"); err == nil {
				f.Limit, f.Offset, err = paging(r)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindChecks(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// stockInput is a stock-out event as a client sends it. A PUT may send only what
// changes (typically ended_on and version, to close it): omitted fields keep their
// stored values.
type stockInput struct {
	ID         string    `json:"id"`
	FacilityID int64     `json:"facility_id"`
	Commodity  string    `json:"commodity"`
	StartedOn  mesh.Date `json:"started_on"`
	EndedOn    mesh.Date `json:"ended_on"`
	CheckID    string    `json:"check_id"`
	Notes      string    `json:"notes"`
	Version    *int      `json:"version"`
}

// SaveStockEvent checks access and stores a stock-out event; shared by POST, PUT and
// sync. merge fills omitted fields from the stored event.
func (s *Server) SaveStockEvent(r *http.Request, in stockInput, merge bool) (*readiness.StockEvent, bool, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteReadiness, ""); err != nil {
		return nil, false, err
	}
	old, err := s.Store.FindStockEventByID(ctx(r), strings.ToLower(in.ID))
	var path string
	if err == nil {
		path = old.FacilityPath
		if merge {
			mergeStock(&in, old)
		}
	}
	if err := guardExisting(c, account.WriteReadiness, path, err); err != nil {
		return nil, false, err
	}
	if err := s.checkFacility(r, account.WriteReadiness, in.FacilityID); err != nil {
		return nil, false, err
	}
	e := &readiness.StockEvent{ID: in.ID, FacilityID: in.FacilityID, Commodity: in.Commodity, StartedOn: in.StartedOn, EndedOn: in.EndedOn,
		CheckID: in.CheckID, Notes: in.Notes}
	created, err := s.Store.PutStockEvent(ctx(r), e, s.checklist(), in.Version)
	return e, created, err
}

func mergeStock(in *stockInput, old *readiness.StockEvent) {
	if in.FacilityID == 0 {
		in.FacilityID = old.FacilityID
	}
	if in.Commodity == "" {
		in.Commodity = old.Commodity
	}
	if in.StartedOn == "" {
		in.StartedOn = old.StartedOn
	}
	if in.EndedOn == "" {
		in.EndedOn = old.EndedOn
	}
	if in.CheckID == "" {
		in.CheckID = old.CheckID
	}
	if in.Notes == "" {
		in.Notes = old.Notes
	}
}

func (s *Server) postStockEvent(w http.ResponseWriter, r *http.Request) {
	s.writeStockEvent(w, r, false)
}
func (s *Server) putStockEvent(w http.ResponseWriter, r *http.Request) { s.writeStockEvent(w, r, true) }

func (s *Server) writeStockEvent(w http.ResponseWriter, r *http.Request, byPath bool) {
	var in stockInput
	err := s.decode(w, r, &in)
	if err == nil && byPath {
		err = idFromPath(r, &in.ID)
	}
	var e *readiness.StockEvent
	var created bool
	if err == nil {
		e, created, err = s.SaveStockEvent(r, in, byPath)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(created), e)
}

func (s *Server) listStockEvents(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadReadiness, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := readiness.StockFilter{Under: c.Scope.Under(), Commodity: q.Get("commodity"), OpenOnly: q.Get("open") == "true"}
	var err error
	if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
		f.Limit, f.Offset, err = paging(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindStockEvents(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// underPlace narrows the caller's area to ?orgunit= when given (403 outside it).
func (s *Server) underPlace(r *http.Request, p account.Permission) ([]string, error) {
	c := caller(r)
	id, err := queryInt(r, "orgunit")
	if err != nil || id == nil {
		return c.Scope.Under(), err
	}
	o, err := s.Store.FindOrgUnitByID(ctx(r), *id)
	if err == nil {
		err = auth.Check(c, p, o.Path)
	}
	if err != nil {
		return nil, err
	}
	return []string{o.Path}, nil
}

// currentStockouts is the supervisors' alert list: tracer items out of stock now in
// the caller's area (or under ?orgunit=), oldest first.
func (s *Server) currentStockouts(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadReadiness, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	under, err := s.underPlace(r, account.ReadReadiness)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cl := s.checklist()
	var codes []string
	names := map[string]string{}
	for _, it := range cl.InSection(readiness.Tracer) {
		codes = append(codes, it.Code)
		names[it.Code] = it.Names["en"]
	}
	list, err := s.Store.FindCurrentStockouts(ctx(r), under, codes, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range list {
		x.CommodityName = names[x.Commodity]
	}
	writeList(w, list, len(list))
}
