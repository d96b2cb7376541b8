package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mesh/account"
	"mesh/auth"
	"mesh/place"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// upload posts a file to the import page as a browser's multipart form would.
func (e *secEnv) upload(token, kind, name, content string, headers ...string) response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: token})
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}

var importToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

func tokenOf(t *testing.T, body string) string {
	t.Helper()
	m := importToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no confirm form in:\n%.2000s", body)
	}
	return m[1]
}

// TestImportPage walks the upload → report → confirm flow as an admin, a district
// supervisor and a French-speaking manager, on SQLite and PostgreSQL when set.
func TestImportPage(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newSecEnv(t, d, false)
			ctx := context.Background()
			admin := e.session("admin")
			district, _ := e.db.FindOrgUnitByID(ctx, *e.in.ParentID)
			district, _ = e.db.FindOrgUnitByID(ctx, *district.ParentID)

			if r := e.send("GET", "/import", admin, nil, ""); r.Status != 200 || !strings.Contains(r.Body, `enctype="multipart/form-data"`) {
				t.Fatalf("form: %d", r.Status)
			}
			// A bad cell full of markup is listed, escaped; the valid rows can be imported.
			xss := `<script>alert(1)</script>`
			file := "name,type,parent_code,code\n" +
				"Import sector,sector," + district.Code + ",IMP-S1\n" +
				"Import HC," + "facility,IMP-S1,IMP-HC1\n" +
				"Orphan HC,facility," + xss + ",IMP-HC2\n" +
				",sector," + district.Code + ",IMP-S2\n"
			r := e.upload(admin, "places", "places.csv", file)
			if r.Status != 200 {
				t.Fatalf("upload: %d %.1000s", r.Status, r.Body)
			}
			if strings.Contains(r.Body, xss) || !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("the bad cell is not shown escaped:\n%.3000s", r.Body)
			}
			for _, want := range []string{"2 would be created", "2 rows have problems", "<td>4</td><td>parent_code</td>", "<td>5</td><td>name</td>", `value="valid"`} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("no %q in the report:\n%.4000s", want, r.Body)
				}
			}
			if strings.Contains(r.Body, `value="all"`) {
				t.Errorf("import all offered for a file with bad rows")
			}
			if _, n, _ := e.db.FindOrgUnits(ctx, place.Filter{Query: "Import", Limit: 1}); n != 0 {
				t.Fatalf("the check saved %d places", n)
			}
			tok := tokenOf(t, r.Body)
			// Asking for all rows anyway is refused, and nothing is saved.
			if r := e.send("POST", "/import/confirm", admin, form("token", tok, "rows", "all"), ""); r.Status != 422 || !strings.Contains(r.Body, "row 4, parent_code") {
				t.Fatalf("all rows of a bad file: %d %.2000s", r.Status, r.Body)
			}
			if _, n, _ := e.db.FindOrgUnits(ctx, place.Filter{Query: "Import", Limit: 1}); n != 0 {
				t.Fatalf("a refused import saved %d places", n)
			}
			// The token was used: upload again, then import the valid rows.
			tok = tokenOf(t, e.upload(admin, "places", "places.csv", file).Body)
			r = e.send("POST", "/import/confirm", admin, form("token", tok, "rows", "valid"), "")
			if r.Status != 200 || !strings.Contains(r.Body, "2 created") || !strings.Contains(r.Body, "2 rows were not imported") {
				t.Fatalf("valid rows: %d %.3000s", r.Status, r.Body)
			}
			if _, n, _ := e.db.FindOrgUnits(ctx, place.Filter{Query: "Import", Limit: 10}); n != 2 {
				t.Fatalf("%d places imported, want 2", n)
			}
			if r := e.send("POST", "/import/confirm", admin, form("token", tok, "rows", "valid"), ""); r.Status != 400 {
				t.Errorf("a used token: %d", r.Status)
			}
			// Idempotent: the same valid rows again are unchanged.
			good := "name,type,parent_code,code\nImport sector,sector," + district.Code + ",IMP-S1\nImport HC,facility,IMP-S1,IMP-HC1\n"
			r = e.upload(admin, "places", "places.xlsx.csv", good)
			if !strings.Contains(r.Body, "0 would be created, 0 updated, 2 unchanged") || !strings.Contains(r.Body, `value="all"`) {
				t.Fatalf("again: %.3000s", r.Body)
			}

			// The supervisor of Kayonza imports workers into Kayonza only.
			sup := e.session("supervisor.kayonza")
			staffFile := "name,cadre,facility_code\nNew Nurse In,A1," + e.in.Code + "\nNew Nurse Out,A1," + e.out.Code + "\n"
			r = e.upload(sup, "health-workers", "staff.csv", staffFile)
			if r.Status != 200 || !strings.Contains(r.Body, "<td>3</td><td>facility_code</td><td>this record is outside your area</td>") {
				t.Fatalf("supervisor's report: %d %.3000s", r.Status, r.Body)
			}
			r = e.send("POST", "/import/confirm", sup, form("token", tokenOf(t, r.Body), "rows", "valid"), "")
			if r.Status != 200 || !strings.Contains(r.Body, "1 created") {
				t.Fatalf("supervisor's import: %d %.2000s", r.Status, r.Body)
			}
			if _, n, _ := e.db.FindHealthWorkers(ctx, staff.Filter{Query: "New Nurse", Limit: 5}); n != 1 {
				t.Fatalf("%d workers imported, want 1", n)
			}
			// Nor places outside, nor users at all.
			if r := e.upload(sup, "users", "users.csv", "username,role\nx.y,mentor\n"); r.Status != 403 {
				t.Errorf("supervisor importing users: %d", r.Status)
			}
			if r := e.upload(e.session("mentor.kayonza"), "health-workers", "staff.csv", staffFile); r.Status != 403 {
				t.Errorf("mentor importing: %d", r.Status)
			}
			// Another user cannot confirm someone else's check.
			tok = tokenOf(t, e.upload(sup, "health-workers", "staff.csv", staffFile).Body)
			if r := e.send("POST", "/import/confirm", admin, form("token", tok, "rows", "valid"), ""); r.Status != 400 {
				t.Errorf("confirming another user's upload: %d", r.Status)
			}

			// Users: the admin sees each new user's initial password once, and it logs in.
			r = e.upload(admin, "users", "users.csv", "username,role,scope_code,language\nimp.mentor,mentor,,fr\nimp.sup,supervisor,"+district.Code+",\n")
			r = e.send("POST", "/import/confirm", admin, form("token", tokenOf(t, r.Body), "rows", "all"), "")
			if r.Status != 200 || !strings.Contains(r.Body, "2 created") || r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("users: %d %q %.2000s", r.Status, r.Header.Get("Cache-Control"), r.Body)
			}
			pw := regexp.MustCompile(`<td>imp\.mentor</td><td><code>([^<]+)</code>`).FindStringSubmatch(r.Body)
			u, err := e.db.FindUserByUsername(ctx, "imp.mentor")
			if pw == nil || err != nil || !account.CheckPassword(u.PasswordHash, pw[1]) {
				t.Fatalf("the shown password does not log in (%v): %.2000s", err, r.Body)
			}

			// A manager reading French gets the report in French.
			mgr, _ := e.db.FindUserByUsername(ctx, "manager")
			fr := "fr"
			if _, err := e.db.UpdateUser(ctx, mgr.ID, account.UserUpdate{Language: &fr}); err != nil {
				t.Fatal(err)
			}
			e.authn.ForgetAll()
			r = e.upload(e.session("manager"), "places", "p.csv", "name,type,parent_code\n,sector,"+district.Code+"\n")
			if !strings.Contains(r.Body, "Rapport de validation") || !strings.Contains(r.Body, "Aucune ligne ne peut être importée") {
				t.Errorf("French report:\n%.3000s", r.Body)
			}
			// A bad header (with markup) is said, escaped, and nothing can be confirmed.
			r = e.upload(admin, "places", "p.csv", "name,<img src=x onerror=alert(1)>\nX,Y\n")
			if r.Status != 422 || strings.Contains(r.Body, "<img src=x") || strings.Contains(r.Body, `name="token"`) {
				t.Errorf("bad header: %d %.2000s", r.Status, r.Body)
			}
			// Not a spreadsheet, no file, an unknown table.
			if r := e.upload(admin, "places", "p.txt", "hello"); r.Status != 422 {
				t.Errorf("a .txt file: %d", r.Status)
			}
			if r := e.upload(admin, "cars", "p.csv", "name\nx\n"); r.Status != 400 {
				t.Errorf("unknown table: %d", r.Status)
			}
			// Over 10 MB: refused with a message, whatever the form limit of other pages.
			big := "name,type\n" + strings.Repeat("x", MaxImportUpload)
			if r := e.upload(admin, "places", "big.csv", big); r.Status != 413 || !strings.Contains(r.Body, "at most 10 MB") {
				t.Errorf("big file: %d %.500s", r.Status, r.Body)
			}
			// A file just under it passes the size check (and is a valid table of one column… of junk).
			mid := "name,type\n" + strings.Repeat("y", 200<<10) + ",sector\n"
			if r := e.upload(admin, "places", "mid.csv", mid); r.Status != 200 {
				t.Errorf("a 200 KB file (over the 64 KiB form cap): %d %.500s", r.Status, r.Body)
			}
			// Other pages keep the 64 KiB form cap.
			if r := e.send("POST", "/places/new", admin, form("name", strings.Repeat("z", 100<<10)), ""); r.Status != 413 {
				t.Errorf("a 100 KB form elsewhere: %d", r.Status)
			}
			// Cross-site uploads are refused.
			if r := e.upload(admin, "places", "p.csv", good, "Sec-Fetch-Site: cross-site"); r.Status != 403 {
				t.Errorf("cross-site upload: %d", r.Status)
			}
		})
	}
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
