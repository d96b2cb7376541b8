package main

import (
	"log/slog"
	"net/http"

	"mesh/auth"
	"mesh/sqlstore"
)

// registerWeb adds the HTML pages and static files to mux.
func registerWeb(mux *http.ServeMux, db *sqlstore.DB, authn *auth.Authenticator, logger *slog.Logger) {
	// Wired by the web package (see web.Server.Routes).
}
