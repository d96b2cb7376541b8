package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mesh/growth"
)

func TestGrowthChart(t *testing.T) {
	e := newTestEnv(t)
	if r := e.get("/growth", ""); r.Status != http.StatusSeeOther {
		t.Fatalf("anonymous: %d", r.Status)
	}
	r := e.get("/growth", "mentor.kayonza")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `name="rows.2.weight_kg"`) || strings.Contains(r.Body, `name="rows.3.weight_kg"`) {
		t.Fatalf("form: %d", r.Status)
	}
	// A girl of 200 days, 6.3 kg, 64 cm lying; a second row by date from the date of birth.
	form := url.Values{"sex": {"female"}, "dob": {"2025-01-01"},
		"rows.0.age_days": {"200"}, "rows.0.weight_kg": {"6,3"}, "rows.0.length_cm": {"64"}, "rows.0.measured": {"lying"},
		"rows.1.date": {"2025-10-28"}, "rows.1.weight_kg": {"7.9"}}
	r = e.post("/growth", "mentor.kayonza", form)
	if r.Status != http.StatusOK {
		t.Fatalf("growth: %d\n%s", r.Status, r.Body)
	}
	w, l := 6.3, 64.0
	z := growth.Compute(growth.Measurement{Sex: growth.Female, AgeDays: 200, WeightKg: &w, LengthCm: &l, Measured: growth.Lying})
	for _, want := range []string{
		"200 days (6.6 months)", "300 days (9.9 months)",
		fmt.Sprintf(`data-label="Weight-for-age">%.2f</td>`, *z.WFA),
		fmt.Sprintf(`data-label="Length/height-for-age">%.2f</td>`, *z.LHFA),
		fmt.Sprintf(`data-label="Weight-for-length/height">%.2f</td>`, *z.WFH),
		// The second row has no length: its length-based z-scores are not computable.
		`data-label="Length/height-for-age">not computable</td>`,
		`<title id="chart-wfa-title">Weight-for-age, girl, WHO Child Growth Standards</title>`,
		`<title id="chart-wfl-title">Weight-for-length, girl, WHO Child Growth Standards</title>`,
		`role="img"`, `name="rows.2.weight_kg"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("result lacks %q", want)
		}
	}
	if strings.Contains(r.Body, `style="`) || strings.Contains(r.Body, "<script>") {
		t.Error("inline style or script on the growth page")
	}
}

func TestGrowthChartErrors(t *testing.T) {
	e := newTestEnv(t)
	form := url.Values{"sex": {"male"}, "rows.0.age_days": {"2000"}, "rows.0.weight_kg": {"8"},
		"rows.1.age_days": {"100"}, "rows.1.weight_kg": {"heavy"}, "rows.2.age_days": {"100"}, "rows.2.length_cm": {"60"},
		"rows.3.date": {"2025-02-01"}}
	r := e.post("/growth", "mentor.kayonza", form, "Cookie: "+LangCookie+"=fr")
	if r.Status != http.StatusBadRequest {
		t.Fatalf("bad input: %d", r.Status)
	}
	for _, want := range []string{
		`id="e-rows.1.weight_kg">Saisissez un nombre.`,
		`id="e-rows.3.date">Indiquez la date de naissance`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("errors lack %q", want)
		}
	}
	// Once the form's own checks pass, the z-score validator names the field.
	form = url.Values{"sex": {"male"}, "rows.0.age_days": {"2000"}, "rows.0.weight_kg": {"8"},
		"rows.1.age_days": {"100"}, "rows.1.length_cm": {"60"}}
	r = e.post("/growth", "mentor.kayonza", form)
	for _, want := range []string{
		`id="e-rows.0.age_days">Enter an age from 0 to 1826 days.`,
		`id="e-rows.1.measured">Say whether the child was lying or standing.`,
	} {
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, want) {
			t.Errorf("%d: errors lack %q", r.Status, want)
		}
	}
	if r := e.post("/growth", "mentor.kayonza", url.Values{"rows.0.age_days": {"10"}}); r.Status != http.StatusBadRequest ||
		!strings.Contains(r.Body, `id="e-sex"`) {
		t.Errorf("missing sex: %d", r.Status)
	}
}
