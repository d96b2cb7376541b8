package readiness_test

import (
	"strings"
	"testing"
	"time"

	"mesh"
	"mesh/indicator"
	"mesh/readiness"
)

func TestStockoutDays(t *testing.T) {
	span := func(from, to string) readiness.Span { return readiness.Span{From: mesh.Date(from), To: mesh.Date(to)} }
	cases := []struct {
		name  string
		spans []readiness.Span
		month string
		today string
		want  int
	}{
		{"none", nil, "2026-03", "2026-12-31", 0},
		{"inside the month, restock day has stock", []readiness.Span{span("2026-03-10", "2026-03-15")}, "2026-03", "2026-12-31", 5},
		{"restocked the next day", []readiness.Span{span("2026-03-10", "2026-03-11")}, "2026-03", "2026-12-31", 1},
		{"same-day restock counts nothing", []readiness.Span{span("2026-03-10", "2026-03-10")}, "2026-03", "2026-12-31", 0},
		{"across the month start", []readiness.Span{span("2026-02-20", "2026-03-05")}, "2026-03", "2026-12-31", 4},
		{"across the month end", []readiness.Span{span("2026-02-20", "2026-03-05")}, "2026-02", "2026-12-31", 9},
		{"restocked on the first of next month", []readiness.Span{span("2026-02-20", "2026-03-01")}, "2026-02", "2026-12-31", 9},
		{"spanning a whole month", []readiness.Span{span("2026-01-15", "2026-04-02")}, "2026-02", "2026-12-31", 28},
		{"leap February", []readiness.Span{span("2028-01-15", "2028-04-02")}, "2028-02", "2028-12-31", 29},
		{"open, month over", []readiness.Span{span("2026-03-10", "")}, "2026-03", "2026-12-31", 22},
		{"open, up to and including today", []readiness.Span{span("2026-03-10", "")}, "2026-03", "2026-03-20", 11},
		{"open, started today", []readiness.Span{span("2026-03-20", "")}, "2026-03", "2026-03-20", 1},
		{"closed but today is earlier", []readiness.Span{span("2026-03-10", "2026-03-25")}, "2026-03", "2026-03-20", 11},
		{"future month", []readiness.Span{span("2026-03-10", "")}, "2026-04", "2026-03-20", 0},
		{"starts after the month", []readiness.Span{span("2026-04-10", "")}, "2026-03", "2026-12-31", 0},
		{"overlap counted once", []readiness.Span{span("2026-03-10", "2026-03-20"), span("2026-03-15", "2026-03-25")}, "2026-03", "2026-12-31", 15},
		{"contained duplicate", []readiness.Span{span("2026-03-01", ""), span("2026-03-05", "2026-03-08")}, "2026-03", "2026-03-31", 31},
		{"touching spans", []readiness.Span{span("2026-03-01", "2026-03-05"), span("2026-03-05", "2026-03-07")}, "2026-03", "2026-12-31", 6},
		{"disjoint spans", []readiness.Span{span("2026-03-01", "2026-03-03"), span("2026-03-28", "")}, "2026-03", "2026-12-31", 6},
		{"bad month", []readiness.Span{span("2026-03-01", "")}, "2026-13", "2026-12-31", 0},
	}
	for _, c := range cases {
		if got := readiness.StockoutDays(c.spans, c.month, mesh.Date(c.today)); got != c.want {
			t.Errorf("%s: %d days, want %d", c.name, got, c.want)
		}
	}
}

func TestIssueStatusHistory(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	i := &readiness.Issue{OpenedOn: "2026-03-01"}
	steps := []struct {
		status, on string
		history    int
		resolvedOn string
	}{
		{"open", "2026-03-01", 1, ""},
		{"open", "2026-03-02", 1, ""}, // no change, no entry
		{"in_progress", "2026-03-05", 2, ""},
		{"escalated", "2026-03-10", 3, ""},
		{"resolved", "2026-04-02", 4, "2026-04-02"},
		{"open", "2026-04-10", 5, ""}, // reopened
		{"resolved", "2026-04-20", 6, "2026-04-20"},
	}
	for _, s := range steps {
		i.SetStatus(s.status, mesh.Date(s.on), at, "mentor")
		if len(i.History) != s.history || i.ResolvedOn != mesh.Date(s.resolvedOn) || i.Status != s.status {
			t.Fatalf("after %s on %s: %d entries, resolved %q", s.status, s.on, len(i.History), i.ResolvedOn)
		}
	}
	for day, want := range map[string]string{"2026-02-28": "", "2026-03-01": "open", "2026-03-07": "in_progress",
		"2026-03-31": "escalated", "2026-04-02": "resolved", "2026-04-15": "open", "2026-05-01": "resolved"} {
		if got := i.StatusOn(mesh.Date(day)); got != want {
			t.Errorf("status on %s: %q, want %q", day, got, want)
		}
	}
	if got := i.DaysOpen("2026-06-01"); got != 50 {
		t.Errorf("days open of a resolved issue: %d, want 50 (to its resolution)", got)
	}
	issues := []*readiness.Issue{i, {OpenedOn: "2026-03-20", Status: "open"}, {OpenedOn: "2026-05-01", Status: "open"}}
	for month, want := range map[string]int{"2026-02": 0, "2026-03": 2, "2026-04": 1, "2026-05": 2} {
		if got := readiness.OpenAtMonthEnd(issues, month, "2026-12-31"); got != want {
			t.Errorf("open at end of %s: %d, want %d", month, got, want)
		}
	}
	if got := readiness.OpenAtMonthEnd(issues, "2026-05", "2026-04-25"); got != 1 {
		t.Errorf("open in a month not yet over counts to today: %d, want 1", got)
	}
}

func TestIssueStats(t *testing.T) {
	today := func(*readiness.Issue) mesh.Date { return "2026-03-31" }
	issues := []*readiness.Issue{
		{OpenedOn: "2026-03-01", Status: "open", Category: "supply"},                               // 30
		{OpenedOn: "2026-03-21", Status: "escalated", Category: "staffing"},                        // 10
		{OpenedOn: "2026-03-29", Status: "in_progress", Category: "supply"},                        // 2
		{OpenedOn: "2026-03-30", Status: "open", Category: "data"},                                 // 1
		{OpenedOn: "2026-01-01", Status: "resolved", ResolvedOn: "2026-01-08", Category: "supply"}, // 7
	}
	st := readiness.Stats(issues, today)
	if st.Open != 4 || st.Escalated != 1 || st.Resolved != 1 || st.OpenByCategory["supply"] != 2 {
		t.Fatalf("stats %+v", st)
	}
	if st.MedianDaysOpen == nil || *st.MedianDaysOpen != 6 {
		t.Errorf("median days open %v, want 6 (mean of 2 and 10)", st.MedianDaysOpen)
	}
	if st.MedianDaysToResolve == nil || *st.MedianDaysToResolve != 7 {
		t.Errorf("median days to resolve %v, want 7", st.MedianDaysToResolve)
	}
	if empty := readiness.Stats(nil, today); empty.MedianDaysOpen != nil {
		t.Errorf("median of nothing: %v", *empty.MedianDaysOpen)
	}
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{[]float64{5}, 5}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if m := readiness.Median(c.xs); *m != c.want {
			t.Errorf("median %v = %v, want %v", c.xs, *m, c.want)
		}
	}
}

func b(v bool) *bool { return &v }

func TestCheckValidateAndCount(t *testing.T) {
	cl := readiness.DefaultChecklist()
	c := &readiness.Check{ID: "0190C1A2-7B3C-7D4E-8F90-123456789ABC", FacilityID: 3, Date: "2026-03-14", Answers: []readiness.Answer{
		{Item: "scale", Present: b(true), Functional: b(true)},
		{Item: "timer", Present: b(false)},
		{Item: "thermometer", Present: b(true), Functional: b(false)},
		{Item: "running_water", Present: b(true)},
		{Item: "electricity", Present: b(false)},
		{Item: "ors", InStock: b(true)},
		{Item: "zinc", InStock: b(false), OutSince: "2026-03-01"},
		{Item: "rutf", InStock: b(false)},
		{Item: "stock_cards", Present: b(true)},
	}}
	c.Normalize(cl)
	if err := c.Validate(cl); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]float64{}
	for _, x := range c.Contributions(cl) {
		got[x.ID] = [2]float64{x.Num, x.Den}
	}
	want := map[string][2]float64{"sys.tracer_availability": {1, 3}, "sys.equipment_functional": {1, 3}, "sys.infrastructure": {1, 2}}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s = %v, want %v", id, got[id], w)
		}
	}
	if c.Month() != "2026-03" {
		t.Errorf("month %s", c.Month())
	}
	outs := c.OutOfStock()
	if len(outs) != 2 || outs[0].OutSince != "2026-03-14" || outs[1].OutSince != "2026-03-01" {
		t.Errorf("out of stock %+v", outs)
	}
	h := c.ContentHash()
	c.Notes = "x"
	if c.ContentHash() == h {
		t.Error("hash ignores notes")
	}

	bad := &readiness.Check{ID: "nope", Date: "2026-02-30", Answers: []readiness.Answer{
		{Item: "spaceship", Present: b(true)},
		{Item: "scale", Present: b(true)},
		{Item: "scale", Present: b(false), Functional: b(true)},
		{Item: "ors", Present: b(true)},
		{Item: "zinc", InStock: b(true), OutSince: "2026-01-01"},
		{Item: "electricity", InStock: b(true)},
	}}
	err := bad.Validate(cl)
	fields := map[string]bool{}
	for _, f := range mesh.ErrorFields(err) {
		fields[f.Field] = true
	}
	for _, f := range []string{"id", "facility_id", "date", "answers[0].item", "answers[1].functional", "answers[2].item",
		"answers[2].functional", "answers[3].present", "answers[3].in_stock", "answers[4].out_since", "answers[5].in_stock", "answers[5].present"} {
		if !fields[f] {
			t.Errorf("no error for %s in %v", f, mesh.ErrorFields(err))
		}
	}
}

func TestStockEventValidate(t *testing.T) {
	cl := readiness.DefaultChecklist()
	ok := &readiness.StockEvent{ID: "0190c1a2-7b3c-7d4e-8f90-123456789abc", FacilityID: 1, Commodity: "ors", StartedOn: "2026-03-01"}
	if err := ok.Validate(cl); err != nil {
		t.Fatal(err)
	}
	bad := &readiness.StockEvent{ID: "x", Commodity: "scale", StartedOn: "2026-03-10", EndedOn: "2026-03-01", CheckID: "y"}
	fields := []string{}
	for _, f := range mesh.ErrorFields(bad.Validate(cl)) {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "id,facility_id,commodity,ended_on,check_id" {
		t.Errorf("fields %s", got)
	}
}

func TestIssueValidate(t *testing.T) {
	i := &readiness.Issue{ID: "bad", Category: "weather", Status: "lost", OpenedOn: "2026-3-1", DueOn: "tomorrow"}
	i.Normalize()
	fields := []string{}
	for _, f := range mesh.ErrorFields(i.Validate()) {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, ","); got != "id,facility_id,category,description,status,opened_on,due_on" {
		t.Errorf("fields %s", got)
	}
}

func TestChecklist(t *testing.T) {
	cl := readiness.DefaultChecklist()
	if n := len(cl.InSection(readiness.Equipment)); n != 8 {
		t.Errorf("%d equipment items, want the 8 of spec/indicators.md", n)
	}
	if n := len(cl.InSection(readiness.Tracer)); n != 14 {
		t.Errorf("%d tracer items, want 14", n)
	}
	for _, it := range cl.Items {
		for _, l := range []string{"en", "fr", "rw"} {
			if it.Names[l] == "" {
				t.Errorf("%s has no %s name", it.Code, l)
			}
		}
	}
	if _, err := readiness.ParseChecklist([]byte(`{"version":"v","items":[{"code":"ors","section":"tracer","names":{"en":"ORS"}},{"code":"ors","section":"tracer","names":{"en":"ORS"}}]}`)); err == nil {
		t.Error("duplicate code accepted")
	}
	if c, err := readiness.ParseChecklist([]byte(`{"version":"v2","items":[{"code":"ors","section":"tracer","names":{"en":"ORS"}}]}`)); err != nil || len(c.Items) != 1 {
		t.Errorf("parse: %v", err)
	}
}

// Every default tracer item has its stock-out day series in the indicator catalogue.
func TestTracerItemsHaveStockoutIndicators(t *testing.T) {
	for _, it := range readiness.DefaultChecklist().InSection(readiness.Tracer) {
		if _, ok := indicator.Find("sys.stockout_days." + it.Code); !ok {
			t.Errorf("no indicator sys.stockout_days.%s", it.Code)
		}
	}
}
