package main

import (
	"log/slog"
	"net/http"

	"mesh/auth"
	"mesh/dhis2"
	"mesh/sqlstore"
	"mesh/web"
)

// registerWeb adds the HTML pages and static files to mux; sched runs the DHIS2
// "push now" (nil: the pages make their own over db).
func registerWeb(mux *http.ServeMux, db *sqlstore.DB, authn *auth.Authenticator, logger *slog.Logger, sched *dhis2.Scheduler) {
	(&web.Server{Store: db, Auth: authn, Logger: logger, DHIS2: sched}).Routes(mux)
}
