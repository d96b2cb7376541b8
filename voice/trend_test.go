package voice

import "testing"

// A trend shows a month only where the monthly results did: 5 answers in January
// (shown), 4 in February (a gap), none in March (a gap), 6 in April (shown).
func TestTrendsGapsFollowTheThreshold(t *testing.T) {
	rs := concat(responses(5, "2026-01", 1, 11, 100, 4), responses(4, "2026-02", 1, 11, 100, 2),
		responses(6, "2026-04", 1, 11, 100, 5))
	months := Months("2026-01", "2026-04")
	if len(months) != 4 || months[3] != "2026-04" || Months("2026-05", "2026-04") != nil || Months("x", "2026-04") != nil {
		t.Fatalf("months %v", months)
	}
	sum := Aggregate(rs, Options{Group: ByMentor, K: 5, Items: []string{"listened"}})
	tr := Trends(sum, months, []string{"listened", "not_an_item"})
	if len(tr) != 1 || tr[0].ID != 100 || len(tr[0].Items) != 2 {
		t.Fatalf("trends %+v", tr)
	}
	got := tr[0].Items[0].Points
	want := []float64{4, 0, 0, 5}
	for i, p := range got {
		switch {
		case want[i] == 0 && p.Mean != nil:
			t.Errorf("%s shown (%v) below the threshold", p.Month, *p.Mean)
		case want[i] != 0 && (p.Mean == nil || *p.Mean != want[i]):
			t.Errorf("%s: %v, want %v", p.Month, p.Mean, want[i])
		}
	}
	for _, p := range tr[0].Items[1].Points {
		if p.Mean != nil {
			t.Errorf("an unrated statement has a mean in %s", p.Month)
		}
	}
}
