package main

import (
	"log/slog"
	"net/http"

	"mesh/auth"
	"mesh/sqlstore"
	"mesh/web"
)

// registerWeb adds the HTML pages and static files to mux.
func registerWeb(mux *http.ServeMux, db *sqlstore.DB, authn *auth.Authenticator, logger *slog.Logger) {
	(&web.Server{Store: db, Auth: authn, Logger: logger}).Routes(mux)
}
