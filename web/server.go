// Package web is MESH's server-rendered web app: html/template pages, embedded with
// their CSS and htmx, for nurse mentors on phones with poor connectivity. Every page
// works without JavaScript; htmx only enhances (e.g. filter-as-you-type). Access uses
// the same auth.Check as the JSON API, so both answer the same question the same way.
package web

import (
	"log/slog"
	"net/http"

	"mesh/account"
	"mesh/api"
	"mesh/audit"
	"mesh/auth"
	"mesh/dhis2"
	"mesh/place"
	"mesh/staff"
)

// Store is everything the web app reads and writes (the same as api.Store).
type Store interface {
	place.Store
	staff.Store
	account.Store
	audit.Store
	// api.Store adds visits, observations, learning goals and counts: the visit and
	// observation pages save through the API's own checks (see apiServer).
	api.Store
}

// Server holds the web app's dependencies.
type Server struct {
	Store  Store
	Auth   *auth.Authenticator
	Logger *slog.Logger
	// Dev re-reads templates from web/templates on every request, for editing them
	// without a rebuild (run from the module root).
	Dev bool
	// DHIS2 runs "push now" from /admin/dhis2 (the server's scheduler; when nil, one
	// over Store is made).
	DHIS2 *dhis2.Scheduler

	views *views
}

// Routes registers every page and the static files on mux; the whole web surface is
// listed here.
func (s *Server) Routes(mux *http.ServeMux) {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	s.views = mustViews(s.Dev)
	s.voiceRoutes(mux)
	s.dashboardRoutes(mux)
	s.exportRoutes(mux)
	s.dhis2AdminRoutes(mux)
	s.importRoutes(mux)

	// Static files gzipped once per process (offline_compress.go); started now so the
	// first phone does not wait for it.
	go precompressed()
	mux.Handle("GET /static/", compressedStatic(staticHandler()))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /language", s.setLanguage)

	mux.HandleFunc("GET /places", s.listPlaces)
	mux.HandleFunc("GET /places/new", s.newPlaceForm)
	mux.HandleFunc("POST /places/new", s.createPlace)
	mux.HandleFunc("GET /places/{id}", s.showPlace)
	mux.HandleFunc("GET /places/{id}/edit", s.editPlaceForm)
	mux.HandleFunc("POST /places/{id}/edit", s.updatePlace)

	mux.HandleFunc("GET /workers", s.listWorkers)
	mux.HandleFunc("GET /workers/new", s.newWorkerForm)
	mux.HandleFunc("POST /workers/new", s.createWorker)
	mux.HandleFunc("GET /workers/{id}", s.showWorker)
	mux.HandleFunc("GET /workers/{id}/edit", s.editWorkerForm)
	mux.HandleFunc("POST /workers/{id}/edit", s.updateWorker)

	mux.HandleFunc("GET /users", s.listUsers)
	mux.HandleFunc("GET /users/new", s.newUserForm)
	mux.HandleFunc("POST /users/new", s.createUser)
	mux.HandleFunc("GET /users/{id}/edit", s.editUserForm)
	mux.HandleFunc("POST /users/{id}/edit", s.updateUser)

	mux.HandleFunc("GET /assignments", s.listAssignments)
	mux.HandleFunc("GET /assignments/new", s.newAssignmentForm)
	mux.HandleFunc("POST /assignments/new", s.createAssignment)
	mux.HandleFunc("POST /assignments/{id}/end", s.endAssignment)

	mux.HandleFunc("GET /audit", s.listAudit)

	mux.HandleFunc("GET /imci/check", s.imciCheckForm)
	mux.HandleFunc("POST /imci/check", s.imciCheck)
	mux.HandleFunc("GET /growth", s.growthForm)
	mux.HandleFunc("POST /growth", s.growthCalc)

	mux.HandleFunc("GET /visits", s.listVisits)
	mux.HandleFunc("GET /visits/new", s.newVisitForm)
	mux.HandleFunc("POST /visits/new", s.createVisit)
	mux.HandleFunc("GET /visits/{id}", s.showVisit)
	mux.HandleFunc("POST /visits/{id}/done", s.markVisitDone)
	mux.HandleFunc("GET /visits/{id}/observe", s.observeForm)
	mux.HandleFunc("POST /visits/{id}/observe", s.observe)
	mux.HandleFunc("GET /observations/{id}", s.showFeedback)
	mux.HandleFunc("GET /cadence", s.cadence)
	mux.HandleFunc("POST /workers/{id}/goals", s.addGoal)
	mux.HandleFunc("POST /workers/{id}/goals/{goal}", s.updateGoal)
	s.offlineRoutes(mux)

	// Facility systems and QI (web/facility.go, issues.go, qi.go).
	mux.HandleFunc("GET /facilities/{id}/systems", s.facilitySystems)
	mux.HandleFunc("GET /facilities/{id}/readiness/new", s.readinessNew)
	mux.HandleFunc("POST /facilities/{id}/readiness/new", s.readinessCreate)
	mux.HandleFunc("GET /stockouts", s.stockouts)
	mux.HandleFunc("GET /issues", s.issuesList)
	mux.HandleFunc("GET /issues/new", s.issueNew)
	mux.HandleFunc("POST /issues/new", s.issueCreate)
	mux.HandleFunc("GET /issues/{id}", s.issueShow)
	mux.HandleFunc("POST /issues/{id}/status", s.issueStatus)
	mux.HandleFunc("POST /issues/{id}/comments", s.issueComment)
	mux.HandleFunc("GET /qi", s.qiList)
	mux.HandleFunc("GET /qi/new", s.qiNew)
	mux.HandleFunc("POST /qi/new", s.qiCreate)
	mux.HandleFunc("GET /qi/change-package", s.changePackage)
	mux.HandleFunc("GET /qi/{id}", s.qiShow)
	mux.HandleFunc("GET /qi/{id}/cycles/new", s.cycleNew)
	mux.HandleFunc("POST /qi/{id}/cycles/new", s.cycleSave)

	// Anything else that is not the API is a page that does not exist.
	mux.HandleFunc("/", s.notFound)
}

// apiServer is the JSON API's server over the same store, so a web form saves a visit
// or an observation through exactly the checks and scoring of PUT /api/v1/… (one
// path, no copy of the scope rules).
func (s *Server) apiServer() *api.Server {
	return &api.Server{Store: s.Store, Auth: s.Auth, Logger: s.Logger}
}
