package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mesh/i18n"
	"mesh/observation"
)

// observationFeedbackKeys are the catalog keys (feedback.<key>) of every coaching
// point the observation package can produce, read from its f.add calls: a literal
// key, or "task."+code for each assessment task. Any other form fails the test, so a
// new kind of key is noticed here rather than shown in English offline.
func observationFeedbackKeys(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "../observation/feedback.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "add" || len(call.Args) < 6 {
			return true
		}
		switch a := call.Args[3].(type) {
		case *ast.BasicLit:
			k, _ := strconv.Unquote(a.Value)
			keys = append(keys, "feedback."+k)
		case *ast.BinaryExpr:
			if lit, ok := a.X.(*ast.BasicLit); ok && lit.Value == `"task."` {
				for _, code := range observation.TaskCodes() {
					keys = append(keys, "feedback.task."+code)
				}
				return true
			}
			t.Errorf("%s: feedback key of a form this test does not know", fset.Position(a.Pos()))
		default:
			t.Errorf("%s: feedback key of a form this test does not know", fset.Position(a.Pos()))
		}
		return true
	})
	if len(keys) < 20 {
		t.Fatalf("only %d feedback keys found in observation/feedback.go", len(keys))
	}
	return keys
}

var dataCatalogRE = regexp.MustCompile(`data-offline-catalog="([^"]*)"`)

// TestOfflineCoachingCatalog: the observation form carries the coaching catalog in the page's
// language, with every key the scorer can produce and the names its arguments need.
func TestOfflineCoachingCatalog(t *testing.T) {
	e := newTestEnv(t)
	visit, _ := e.observeVisit("mentor.kayonza")
	r := e.get("/visits/"+visit+"/observe", "mentor.kayonza", "Cookie: "+LangCookie+"=fr")
	m := dataCatalogRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("observe page (%d) has no data-offline-catalog", r.Status)
	}
	var c OfflineCatalog
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
		t.Fatal(err)
	}
	for _, k := range observationFeedbackKeys(t) {
		if !i18n.Has(i18n.Default, k) {
			t.Errorf("%s: no English text (the server and offline app fall back to the engine's message)", k)
			continue
		}
		if got, want := c.Text[k], i18n.T("fr", k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"feedback.wrote_instead", "feedback.action.urgent", "feedback.action.treat_now",
		"feedback.nothing_written", "imci.warning.LOW_OXYGEN_SATURATION"} {
		if c.Text[k] == "" || c.Text[k] != i18n.T("fr", k) {
			t.Errorf("%s = %q, want the French text", k, c.Text[k])
		}
	}
	if c.Text["feedback.referral.missed"] == i18n.T("en", "feedback.referral.missed") {
		t.Error("French catalog has the English referral point")
	}
	if !strings.HasPrefix(c.Text["feedback.referral.missed"], "Référer") {
		t.Errorf("feedback.referral.missed = %q", c.Text["feedback.referral.missed"])
	}
	if len(c.Urgent) == 0 || !strings.Contains(strings.Join(c.Urgent, " "), "VERY_SEVERE_DISEASE") {
		t.Errorf("urgent classes %v", c.Urgent)
	}
	if len(m[1]) > 60000 {
		t.Errorf("catalog attribute is %d bytes: too heavy for 2G", len(m[1]))
	}
	t.Logf("catalog attribute: %d bytes, %d keys", len(m[1]), len(c.Text))
}
