package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/audit"
	"mesh/auth"
)

type assignmentInput struct {
	MentorID   int64     `json:"mentor_id"`
	FacilityID int64     `json:"facility_id"`
	StartOn    mesh.Date `json:"start_on"`
	EndOn      mesh.Date `json:"end_on"`
}

type assignmentPatch struct {
	EndOn mesh.Date `json:"end_on"`
}

func (s *Server) listAssignments(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadAssignments, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := account.AssignmentFilter{Under: c.Scope.Under()}
	if c.User.Role == account.Mentor {
		// A mentor sees their own assignments, past ones included.
		f.Under, f.MentorID = nil, &c.User.ID
	}
	var err error
	if id, qerr := queryInt(r, "mentor_id"); qerr != nil {
		err = qerr
	} else if id != nil && f.MentorID == nil {
		f.MentorID = id
	}
	if err == nil {
		if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
			if f.ActiveOn, err = queryDate(r, "active_on"); err == nil {
				f.Limit, f.Offset, err = paging(r)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindAssignments(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

func (s *Server) createAssignment(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteAssignments, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var in assignmentInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkFacility(r, account.WriteAssignments, in.FacilityID); err != nil {
		s.fail(w, r, err)
		return
	}
	a := &account.Assignment{MentorID: in.MentorID, FacilityID: in.FacilityID, StartOn: in.StartOn, EndOn: in.EndOn}
	defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
	if err := s.Store.CreateAssignment(ctx(r), a); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

// endAssignment sets an assignment's last day (assignments are ended, never deleted).
func (s *Server) endAssignment(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.WriteAssignments, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, _, err := s.Store.FindAssignments(ctx(r), account.AssignmentFilter{ID: &id})
	if err == nil && len(list) == 0 {
		err = mesh.Errorf(mesh.ENOTFOUND, "assignment %d not found", id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	found := list[0]
	if err := auth.Check(c, account.WriteAssignments, found.FacilityPath); err != nil {
		s.fail(w, r, err)
		return
	}
	var in assignmentPatch
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
	a, err := s.Store.EndAssignment(ctx(r), id, in.EndOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadAudit, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := audit.Filter{Entity: r.URL.Query().Get("entity"), EntityID: r.URL.Query().Get("entity_id")}
	var err error
	if f.ActorID, err = queryInt(r, "actor_id"); err == nil {
		f.Limit, f.Offset, err = paging(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindAuditEntries(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}
