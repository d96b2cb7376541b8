package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/observation"
	"mesh/visit"
)

type goalInput struct {
	ID            string `json:"id"`
	ObservationID string `json:"observation_id"`
	Goal          string `json:"goal"`
	Status        string `json:"status"`
}

// listGoals returns a worker's learning goals (private, like named scores).
func (s *Server) listGoals(w http.ResponseWriter, r *http.Request) {
	hw, ok := s.loadWorker(w, r, account.ReadObservations)
	if !ok {
		return
	}
	list, err := s.Store.FindGoals(ctx(r), hw.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, len(list))
}

// postGoal creates or updates (same id) a learning goal for a worker.
func (s *Server) postGoal(w http.ResponseWriter, r *http.Request) {
	hw, ok := s.loadWorker(w, r, account.WriteObservations)
	if !ok {
		return
	}
	var in goalInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if !visit.ValidUUID(in.ID) {
		s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "id", Message: "id must be a UUID made by the client"}))
		return
	}
	g := &observation.Goal{ID: in.ID, HealthWorkerID: hw.ID, ObservationID: in.ObservationID, Goal: in.Goal, Status: in.Status}
	created, err := s.Store.PutGoal(ctx(r), g)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, g)
}
