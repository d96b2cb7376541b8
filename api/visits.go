package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/visit"
)

// visitInput is a visit as a client sends it; id is the client's UUID.
type visitInput struct {
	ID                string    `json:"id"`
	FacilityID        int64     `json:"facility_id"`
	MentorID          *int64    `json:"mentor_id"`
	Date              mesh.Date `json:"date"`
	Kind              string    `json:"kind"`
	Status            string    `json:"status"`
	Activities        []string  `json:"activities"`
	TeachingTopic     string    `json:"teaching_topic"`
	TeachingAttendees int       `json:"teaching_attendees"`
	Notes             string    `json:"notes"`
	Version           *int      `json:"version"`
}

// PutVisit validates, checks access and stores a visit; shared by POST, PUT and sync.
// It returns whether the visit was created.
func (s *Server) PutVisit(r *http.Request, in visitInput) (*visit.Visit, bool, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteVisits, ""); err != nil {
		return nil, false, err
	}
	v := &visit.Visit{ID: in.ID, FacilityID: in.FacilityID, Date: in.Date, Kind: in.Kind, Status: in.Status,
		Activities: in.Activities, TeachingTopic: in.TeachingTopic, TeachingAttendees: in.TeachingAttendees, Notes: in.Notes}
	v.MentorID = c.User.ID
	if in.MentorID != nil {
		v.MentorID = *in.MentorID
	}
	if c.User.Role == account.Mentor && v.MentorID != c.User.ID {
		return nil, false, mesh.Errorf(mesh.EFORBIDDEN, "a mentor records their own visits only")
	}
	if err := s.checkFacility(r, account.WriteVisits, in.FacilityID); err != nil {
		return nil, false, err
	}
	// An existing visit at a facility outside the caller's area must not be touched.
	if old, err := s.Store.FindVisitByID(ctx(r), in.ID); err == nil {
		if err := auth.Check(c, account.WriteVisits, old.FacilityPath); err != nil {
			return nil, false, err
		}
	}
	created, err := s.Store.PutVisit(ctx(r), v, in.Version)
	return v, created, err
}

func (s *Server) postVisit(w http.ResponseWriter, r *http.Request) {
	var in visitInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeVisit(w, r, in)
}

func (s *Server) putVisit(w http.ResponseWriter, r *http.Request) {
	var in visitInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ID == "" {
		in.ID = r.PathValue("id")
	} else if in.ID != r.PathValue("id") {
		s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "id", Message: "the id in the body differs from the id in the URL"}))
		return
	}
	s.writeVisit(w, r, in)
}

func (s *Server) writeVisit(w http.ResponseWriter, r *http.Request, in visitInput) {
	v, created, err := s.PutVisit(r, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, v)
}

func (s *Server) getVisit(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Store.FindVisitByID(ctx(r), r.PathValue("id"))
	if err == nil {
		err = auth.Check(c, account.ReadVisits, v.FacilityPath)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listVisits(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := visit.Filter{Under: c.Scope.Under(), Status: q.Get("status")}
	var err error
	if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
		if f.MentorID, err = queryInt(r, "mentor_id"); err == nil {
			if f.From, err = queryDate(r, "from"); err == nil {
				if f.To, err = queryDate(r, "to"); err == nil {
					f.Limit, f.Offset, err = paging(r)
				}
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindVisits(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// cadence lists every facility in the caller's area with its days since the last
// visit, its target and whether it is overdue (overdue first).
func (s *Server) cadence(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	today, err := queryDate(r, "on")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if today == "" {
		today = mesh.DateOf(s.now())
	}
	list, err := s.Store.FindCadence(ctx(r), c.Scope.Under(), today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("overdue") == "true" {
		var only []*visit.Cadence
		for _, x := range list {
			if x.Overdue {
				only = append(only, x)
			}
		}
		list = only
	}
	writeList(w, list, len(list))
}
