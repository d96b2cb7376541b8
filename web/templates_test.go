package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestTemplatesParse parses every page with the layout, as the server does at start.
func TestTemplatesParse(t *testing.T) {
	pages, err := parsePages(embedded)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"login", "home", "error", "places", "place", "place_form", "workers", "worker",
		"worker_form", "users", "user_form", "assignments", "assignment_form", "audit", "imci_check", "growth",
		"visits", "visit", "visit_form", "cadence", "observe", "feedback"} {
		if pages[want] == nil {
			t.Errorf("page %s not parsed", want)
		}
	}
}

var (
	actionRE  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	entityRE  = regexp.MustCompile(`&[#a-zA-Z0-9]+;`)
	// Attributes people read (tooltips, placeholders, accessible names) must be
	// translated too.
	readAttrRE = regexp.MustCompile(`\b(title|placeholder|aria-label|alt)="([^"{]*\pL[^"{]*)"`)
)

// TestTemplatesHaveNoUntranslatedText fails when a template holds readable text
// outside {{…}}: every word on a page must come from the catalog through T.
func TestTemplatesHaveNoUntranslatedText(t *testing.T) {
	names, _ := fs.Glob(embedded, "templates/*.html")
	for _, name := range names {
		b, err := fs.ReadFile(embedded, name)
		if err != nil {
			t.Fatal(err)
		}
		src := actionRE.ReplaceAllString(string(b), "\x00")
		if m := readAttrRE.FindAllString(src, -1); m != nil {
			t.Errorf("%s: untranslated attributes %q", name, m)
		}
		text := entityRE.ReplaceAllString(tagRE.ReplaceAllString(commentRE.ReplaceAllString(src, ""), " "), " ")
		for _, line := range strings.Split(text, "\n") {
			if regexp.MustCompile(`\pL`).MatchString(line) {
				t.Errorf("%s: untranslated text %q", name, strings.TrimSpace(line))
			}
		}
	}
}
