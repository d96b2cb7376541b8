package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mesh/api"
	"mesh/auth"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// twin is a second server on the same database, through its own connections, as
// another `mesh serve` behind the load balancer (or this one after a restart) is:
// nothing in memory is shared with e.
func (e *secEnv) twin() *secEnv {
	e.t.Helper()
	db, err := sqlstore.Open(context.Background(), e.db.DSN)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	authn := auth.New(db, false)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	(&api.Server{Store: db, Auth: authn, Logger: logger}).Routes(mux)
	(&Server{Store: db, Auth: authn, Logger: logger}).Routes(mux)
	srv := httptest.NewServer(auth.SecurityHeaders(auth.LimitForms(http.NewCrossOriginProtection().Handler(authn.Middleware(mux)))))
	e.t.Cleanup(srv.Close)
	t := *e
	t.db, t.authn, t.srv, t.client = db, authn, srv, srv.Client()
	t.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &t
}

// TestImportConfirmOnAnotherServer: the checked file is in the database, so the
// confirmation works on a second server, once; a restart is the same case.
func TestImportConfirmOnAnotherServer(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			a := newSecEnv(t, d, false)
			b := a.twin()
			ctx := context.Background()
			admin := a.session("admin") // sessions are in the database too
			district, _ := a.db.FindOrgUnitByID(ctx, *a.in.ParentID)
			district, _ = a.db.FindOrgUnitByID(ctx, *district.ParentID)
			file := "name,type,parent_code,code\nTwin sector,sector," + district.Code + ",TWIN-S1\n"

			tok := tokenOf(t, a.upload(admin, "places", "p.csv", file).Body)
			r := b.send("POST", "/import/confirm", admin, form("token", tok, "rows", "all"), "")
			if r.Status != 200 || !strings.Contains(r.Body, "1 created") {
				t.Fatalf("confirm on the other server: %d %.2000s", r.Status, r.Body)
			}
			if r := a.send("POST", "/import/confirm", admin, form("token", tok, "rows", "all"), ""); r.Status != 400 ||
				!strings.Contains(r.Body, "already imported: upload the file again") {
				t.Fatalf("the same token on the first server: %d %.1000s", r.Status, r.Body)
			}
			// A second upload replaces the first: only the last token confirms.
			old := tokenOf(t, b.upload(admin, "places", "p.csv", file).Body)
			last := tokenOf(t, a.upload(admin, "places", "p.csv", file).Body)
			if r := a.send("POST", "/import/confirm", admin, form("token", old, "rows", "all"), ""); r.Status != 400 {
				t.Errorf("a replaced upload: %d", r.Status)
			}
			if r := b.send("POST", "/import/confirm", admin, form("token", last, "rows", "all"), ""); r.Status != 200 || !strings.Contains(r.Body, "1 unchanged") {
				t.Errorf("the last upload: %d %.1000s", r.Status, r.Body)
			}
			// Another user's token finds nothing, on either server.
			sup := a.session("supervisor.kayonza")
			tok = tokenOf(t, a.upload(sup, "health-workers", "s.csv", "name,cadre,facility_code\nTwin Nurse,A1,"+a.in.Code+"\n").Body)
			if r := b.send("POST", "/import/confirm", admin, form("token", tok, "rows", "all"), ""); r.Status != 400 {
				t.Errorf("another user's upload: %d", r.Status)
			}
			if r := b.send("POST", "/import/confirm", sup, form("token", tok, "rows", "all"), ""); r.Status != 200 || !strings.Contains(r.Body, "1 created") {
				t.Errorf("the supervisor's own upload, after another user tried it: %d %.1000s", r.Status, r.Body)
			}
		})
	}
}
