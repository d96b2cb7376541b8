package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/staff"
)

type workerInput struct {
	Name          string    `json:"name"`
	Cadre         string    `json:"cadre"`
	FacilityID    int64     `json:"facility_id"`
	IMCITrainedOn mesh.Date `json:"imci_trained_on"`
	StartOn       mesh.Date `json:"start_on"`
	EndOn         mesh.Date `json:"end_on"`
}

type workerPatch struct {
	Name          *string    `json:"name"`
	Cadre         *string    `json:"cadre"`
	IMCITrainedOn *mesh.Date `json:"imci_trained_on"`
	FacilityID    *int64     `json:"facility_id"`
	MoveOn        mesh.Date  `json:"move_on"`
	EndOn         *mesh.Date `json:"end_on"`
	Version       *int       `json:"version"`
}

func (s *Server) listHealthWorkers(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadWorkers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := staff.Filter{Under: c.Scope.Under(), Query: r.URL.Query().Get("q")}
	var err error
	if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
		if f.ActiveOn, err = queryDate(r, "active_on"); err == nil {
			f.Limit, f.Offset, err = paging(r)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindHealthWorkers(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// loadWorker fetches the {id} worker and checks the caller may act on them.
func (s *Server) loadWorker(w http.ResponseWriter, r *http.Request, p account.Permission) (*staff.HealthWorker, bool) {
	return loadInArea(s, w, r, p, byPathID(r, s.Store.FindHealthWorkerByID), func(h *staff.HealthWorker) string { return h.FacilityPath })
}

func (s *Server) getHealthWorker(w http.ResponseWriter, r *http.Request) {
	if h, ok := s.loadWorker(w, r, account.ReadWorkers); ok {
		writeJSON(w, http.StatusOK, h)
	}
}

// checkFacility checks the caller may write at facility id (when it exists; a missing
// facility is left for the store to report against the field).
func (s *Server) checkFacility(r *http.Request, p account.Permission, id int64) error {
	f, err := s.Store.FindOrgUnitByID(ctx(r), id)
	if err != nil {
		return nil
	}
	return auth.Check(caller(r), p, f.Path)
}

func (s *Server) createHealthWorker(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteWorkers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var in workerInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkFacility(r, account.WriteWorkers, in.FacilityID); err != nil {
		s.fail(w, r, err)
		return
	}
	h := &staff.HealthWorker{Name: in.Name, Cadre: in.Cadre, FacilityID: in.FacilityID, IMCITrainedOn: in.IMCITrainedOn, StartOn: in.StartOn, EndOn: in.EndOn}
	if err := s.Store.CreateHealthWorker(ctx(r), h); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, h)
}

func (s *Server) updateHealthWorker(w http.ResponseWriter, r *http.Request) {
	h, ok := s.loadWorker(w, r, account.WriteWorkers)
	if !ok {
		return
	}
	var in workerPatch
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.FacilityID != nil {
		if err := s.checkFacility(r, account.WriteWorkers, *in.FacilityID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	up, err := s.Store.UpdateHealthWorker(ctx(r), h.ID, staff.Update{Name: in.Name, Cadre: in.Cadre, IMCITrainedOn: in.IMCITrainedOn,
		FacilityID: in.FacilityID, MoveOn: in.MoveOn, EndOn: in.EndOn, Version: in.Version})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, up)
}
