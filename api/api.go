// Package api is MESH's JSON API under /api/v1/. The whole API is visible in Routes;
// every handler authenticates through auth.Check with the record's place, so a request
// outside the caller's area gets 403 and never data.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"mesh/account"
	"mesh/audit"
	"mesh/auth"
	"mesh/imci"
	"mesh/observation"
	"mesh/place"
	"mesh/qi"
	"mesh/readiness"
	"mesh/staff"
	"mesh/visit"
	"mesh/voice"
)

// Store is everything the API reads and writes.
type Store interface {
	place.Store
	staff.Store
	account.Store
	audit.Store
	visit.Store
	IndicatorStore
	observation.Store
	observation.GoalStore
	ChangeStore
	voice.Store
	readiness.Store
	qi.Store
	FacilitySystemsStore
	ComputedStore
}

// Server holds the API's dependencies.
type Server struct {
	Store  Store
	Auth   *auth.Authenticator
	Logger *slog.Logger
	// MaxBody caps request bodies; larger ones get 413.
	MaxBody int64
	// Protocol is the deployment's IMCI protocol (nil: the embedded WHO 2014 default).
	Protocol *imci.Protocol
	// Checklist is the deployment's readiness checklist (nil: readiness.DefaultChecklist).
	Checklist *readiness.Checklist
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// DefaultMaxBody is the default request body limit (1 MiB).
const DefaultMaxBody = 1 << 20

// Routes registers the API on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/auth/token", s.createToken)
	mux.HandleFunc("DELETE /api/v1/auth/token", s.deleteToken)
	mux.HandleFunc("GET /api/v1/me", s.me)

	mux.HandleFunc("GET /api/v1/orgunits", s.listOrgUnits)
	mux.HandleFunc("POST /api/v1/orgunits", s.createOrgUnit)
	mux.HandleFunc("GET /api/v1/orgunits/{id}", s.getOrgUnit)
	mux.HandleFunc("PATCH /api/v1/orgunits/{id}", s.updateOrgUnit)

	mux.HandleFunc("GET /api/v1/health-workers", s.listHealthWorkers)
	mux.HandleFunc("POST /api/v1/health-workers", s.createHealthWorker)
	mux.HandleFunc("GET /api/v1/health-workers/{id}", s.getHealthWorker)
	mux.HandleFunc("PATCH /api/v1/health-workers/{id}", s.updateHealthWorker)

	mux.HandleFunc("GET /api/v1/users", s.listUsers)
	mux.HandleFunc("POST /api/v1/users", s.createUser)
	mux.HandleFunc("GET /api/v1/users/{id}", s.getUser)
	mux.HandleFunc("PATCH /api/v1/users/{id}", s.updateUser)

	mux.HandleFunc("GET /api/v1/assignments", s.listAssignments)
	mux.HandleFunc("POST /api/v1/assignments", s.createAssignment)
	mux.HandleFunc("PATCH /api/v1/assignments/{id}", s.endAssignment)

	mux.HandleFunc("GET /api/v1/audit", s.listAudit)

	mux.HandleFunc("GET /api/v1/visits", s.listVisits)
	mux.HandleFunc("POST /api/v1/visits", s.postVisit)
	mux.HandleFunc("GET /api/v1/visits/{id}", s.getVisit)
	mux.HandleFunc("PUT /api/v1/visits/{id}", s.putVisit)
	mux.HandleFunc("GET /api/v1/cadence", s.cadence)

	mux.HandleFunc("GET /api/v1/observations", s.listObservations)
	mux.HandleFunc("PUT /api/v1/observations/{id}", s.putObservation)
	mux.HandleFunc("GET /api/v1/observations/{id}", s.getObservation)
	mux.HandleFunc("DELETE /api/v1/observations/{id}", s.voidObservation)
	mux.HandleFunc("GET /api/v1/health-workers/{id}/competency", s.competency)
	mux.HandleFunc("GET /api/v1/health-workers/{id}/goals", s.listGoals)
	mux.HandleFunc("POST /api/v1/health-workers/{id}/goals", s.postGoal)

	mux.HandleFunc("GET /api/v1/checklist", s.getChecklist)
	mux.HandleFunc("GET /api/v1/readiness-checks", s.listChecks)
	mux.HandleFunc("POST /api/v1/readiness-checks", s.postCheck)
	mux.HandleFunc("GET /api/v1/readiness-checks/{id}", s.getCheck)
	mux.HandleFunc("PUT /api/v1/readiness-checks/{id}", s.putCheck)
	mux.HandleFunc("GET /api/v1/stock-events", s.listStockEvents)
	mux.HandleFunc("POST /api/v1/stock-events", s.postStockEvent)
	mux.HandleFunc("PUT /api/v1/stock-events/{id}", s.putStockEvent)
	mux.HandleFunc("GET /api/v1/stockouts/current", s.currentStockouts)
	mux.HandleFunc("GET /api/v1/issues", s.listIssues)
	mux.HandleFunc("POST /api/v1/issues", s.postIssue)
	mux.HandleFunc("GET /api/v1/issues/stats", s.issueStats)
	mux.HandleFunc("GET /api/v1/issues/{id}", s.getIssue)
	mux.HandleFunc("PUT /api/v1/issues/{id}", s.putIssue)
	mux.HandleFunc("POST /api/v1/issues/{id}/comments", s.postIssueComment)
	mux.HandleFunc("GET /api/v1/qi/projects", s.listProjects)
	mux.HandleFunc("POST /api/v1/qi/projects", s.postProject)
	mux.HandleFunc("GET /api/v1/qi/projects/{id}", s.getProject)
	mux.HandleFunc("PUT /api/v1/qi/projects/{id}", s.putProject)
	mux.HandleFunc("POST /api/v1/qi/projects/{id}/cycles", s.postCycle)
	mux.HandleFunc("GET /api/v1/qi/projects/{id}/runchart", s.runChart)
	mux.HandleFunc("GET /api/v1/qi/projects/{id}/runchart.svg", s.runChartSVG)
	mux.HandleFunc("GET /api/v1/qi/projects/{id}/pchart.svg", s.pChartSVG)
	mux.HandleFunc("GET /api/v1/qi/change-package", s.changePackage)

	mux.HandleFunc("POST /api/v1/sync", s.syncUpload)
	mux.HandleFunc("GET /api/v1/sync/changes", s.syncChanges)

	mux.HandleFunc("GET /api/v1/indicators", s.listIndicators)
	mux.HandleFunc("GET /api/v1/indicators/{id}/values", s.indicatorValues)

	mux.HandleFunc("POST /api/v1/imci/classify", s.classify)
	s.voiceRoutes(mux)
	s.evaluationRoutes(mux)
	mux.HandleFunc("/api/", s.notFound)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeErrorCode(w, r, http.StatusNotFound, "NOT_FOUND", "", "no such API endpoint: "+r.Method+" "+r.URL.Path)
}

// caller returns the request's caller.
func caller(r *http.Request) *auth.Caller { return auth.CallerFrom(r.Context()) }

// ctx is the request context (carrying the caller as the actor of writes).
func ctx(r *http.Request) context.Context { return r.Context() }
