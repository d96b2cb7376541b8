package voice

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"mesh"
	"mesh/indicator"
)

const uuid1 = "0190c1a2-7b3c-7d4e-8f90-123456789abc"

func TestResponseValidateNamesEveryField(t *testing.T) {
	c := DefaultConfig()
	r := &Response{ID: "nope", VisitID: "", Ratings: map[string]int{"listened": 6, "bogus": 3},
		Comment: strings.Repeat("é", MaxComment+1), Language: "de"}
	r.Normalize()
	err := r.Validate(c)
	got := map[string]string{}
	for _, f := range mesh.ErrorFields(err) {
		got[f.Field] = f.Code
	}
	want := map[string]string{"id": "INVALID_FORMAT", "visit_id": "INVALID_FORMAT", "ratings.listened": "OUT_OF_RANGE",
		"ratings.bogus": "UNKNOWN_ENUM_VALUE", "comment": "OUT_OF_RANGE", "language": "UNKNOWN_ENUM_VALUE"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	ok := &Response{ID: strings.ToUpper(uuid1), VisitID: uuid1, Ratings: map[string]int{"listened": 5}, Comment: strings.Repeat("é", MaxComment)}
	ok.Normalize()
	if err := ok.Validate(c); err != nil || ok.Language != "en" {
		t.Fatalf("valid response: %v (language %q)", err, ok.Language)
	}
	if err := (&Response{ID: uuid1, VisitID: uuid1, Language: "fr"}).Validate(c); mesh.ErrorFields(err)[0].Field != "ratings" {
		t.Fatalf("no ratings: %v", err)
	}
}

// The response type has no field that could say who answered or when to the minute.
func TestResponseHoldsNoIdentity(t *testing.T) {
	allowed := map[string]bool{"ID": true, "VisitID": true, "Code": true, "Ratings": true, "Comment": true, "Language": true,
		"FacilityID": true, "DistrictID": true, "MentorID": true, "Month": true}
	rt := reflect.TypeOf(Response{})
	for i := 0; i < rt.NumField(); i++ {
		if f := rt.Field(i); !allowed[f.Name] {
			t.Errorf("Response has field %s: anonymous feedback must not carry it", f.Name)
		}
	}
}

func TestConfigValidateAndClamp(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := &Config{MinGroup: 2, Items: []Item{{Key: "A b"}, {Key: "x", Text: map[string]string{"en": "x", "fr": "x", "rw": "x"}}, {Key: "x", Text: map[string]string{"en": "x", "fr": "x", "rw": "x"}}}}
	fields := map[string]bool{}
	for _, f := range mesh.ErrorFields(c.Validate()) {
		fields[f.Field] = true
	}
	for _, f := range []string{"min_group", "items[0].key", "items[0].text.en", "items[2].key"} {
		if !fields[f] {
			t.Errorf("no error for %s: %v", f, fields)
		}
	}
	for in, want := range map[int]int{0: 5, 1: 3, 3: 3, 4: 4, 10: 10} {
		if got := ClampK(in); got != want {
			t.Errorf("ClampK(%d) = %d, want %d", in, got, want)
		}
	}
	for _, it := range DefaultItems {
		for _, l := range Languages {
			if it.Text[l] == "" {
				t.Errorf("default item %s lacks %s", it.Key, l)
			}
		}
	}
}

func TestCodes(t *testing.T) {
	c := NewCode([]byte{0, 1, 2, 3, 4, 5, 30, 31})
	if !ValidCode(c) || c != "ABCDEF9A" {
		t.Fatalf("code %q", c)
	}
	if NormalizeCode(" abcd-ef9a ") != "ABCDEF9A" || ValidCode("ABCDEF0A") || ValidCode("ABC") {
		t.Fatal("normalize or shape check")
	}
}

// responses makes n answers for a group, each rating every default item v (cycling
// 1..5 when v is 0).
func responses(n int, month string, district, facility, mentor int64, v int) []Response {
	var out []Response
	for i := 0; i < n; i++ {
		rv := v
		if rv == 0 {
			rv = i%5 + 1
		}
		r := Response{Month: month, DistrictID: district, FacilityID: facility, MentorID: mentor, Ratings: map[string]int{}}
		for _, it := range DefaultItems {
			r.Ratings[it.Key] = rv
		}
		r.Comment = fmt.Sprintf("comment %d from %d", i, facility)
		out = append(out, r)
	}
	return out
}

func concat(parts ...[]Response) []Response {
	var out []Response
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

type shown struct {
	Group  Group
	ID     int64
	Period string
	N      int
}

func shownOf(s Summary) []shown {
	var out []shown
	for _, r := range s.Results {
		out = append(out, shown{r.Group, r.ID, r.Period, r.N})
	}
	return out
}

func TestAggregateThresholdsAndPooling(t *testing.T) {
	const m = "2026-02"
	cases := []struct {
		name   string
		rs     []Response
		group  Group
		k      int
		want   []shown
		hidden int
	}{
		{"5 is enough at k=5", responses(5, m, 1, 11, 100, 4), ByFacility, 5, []shown{{ByFacility, 11, m, 5}}, 0},
		{"4 is hidden at k=5", responses(4, m, 1, 11, 100, 4), ByFacility, 5, nil, 1},
		{"k below 3 is raised to 3: 2 hidden", responses(2, m, 1, 11, 100, 4), ByFacility, 1, nil, 1},
		{"k=3 shows 3", responses(3, m, 1, 11, 100, 4), ByFacility, 3, []shown{{ByFacility, 11, m, 3}}, 0},
		{"two small facilities pool into their district",
			concat(responses(3, m, 1, 11, 100, 4), responses(2, m, 1, 12, 100, 4)), ByFacility, 5,
			[]shown{{ByDistrict, 1, m, 5}}, 0},
		{"a small facility takes the smallest large sibling with it, so nothing can be subtracted",
			concat(responses(4, m, 1, 11, 100, 4), responses(6, m, 1, 12, 100, 4), responses(9, m, 1, 13, 100, 4)), ByFacility, 5,
			[]shown{{ByDistrict, 1, m, 10}, {ByFacility, 13, m, 9}}, 0},
		{"a district too small even whole is hidden",
			concat(responses(2, m, 1, 11, 100, 4), responses(2, m, 1, 12, 100, 4), responses(9, m, 2, 21, 100, 4)), ByFacility, 5,
			[]shown{{ByFacility, 21, m, 9}}, 2},
		{"months are separate groups",
			concat(responses(5, "2026-01", 1, 11, 100, 4), responses(4, m, 1, 11, 100, 4)), ByFacility, 5,
			[]shown{{ByFacility, 11, "2026-01", 5}}, 1},
		{"mentors: a small mentor pools with the others",
			concat(responses(7, m, 1, 11, 100, 4), responses(6, m, 1, 11, 101, 4), responses(2, m, 1, 11, 102, 4)), ByMentor, 5,
			[]shown{{ByMentor, 0, m, 8}, {ByMentor, 100, m, 7}}, 0},
		{"districts", concat(responses(5, m, 1, 11, 100, 4), responses(4, m, 2, 21, 100, 4)), ByDistrict, 5,
			[]shown{{ByDistrict, 0, m, 9}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Aggregate(c.rs, Options{Group: c.group, K: c.k})
			if got := shownOf(s); !reflect.DeepEqual(got, c.want) || s.Hidden != c.hidden {
				t.Fatalf("shown %+v hidden %d, want %+v hidden %d", got, s.Hidden, c.want, c.hidden)
			}
			for _, r := range s.Results {
				if r.N < s.K {
					t.Fatalf("a group of %d shown with k=%d", r.N, s.K)
				}
			}
		})
	}
}

func TestAggregateItems(t *testing.T) {
	rs := responses(5, "2026-02", 1, 11, 100, 0) // ratings 1,2,3,4,5
	// Only four rate fixed_problem: that item is withheld, the others shown.
	delete(rs[0].Ratings, "fixed_problem")
	rs[1].Ratings["retired_item"] = 5
	s := Aggregate(rs, Options{Group: ByMentor, K: 5, Items: []string{"listened", "fixed_problem"}})
	if len(s.Results) != 1 {
		t.Fatalf("results %+v", s.Results)
	}
	r := s.Results[0]
	var keys []string
	for _, it := range r.Items {
		keys = append(keys, it.Item)
	}
	if want := []string{"listened", "fixed_problem", "can_ask", "helped_not_judged", "learned", "retired_item"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("item order %v, want %v", keys, want)
	}
	l := r.Items[0]
	if l.N != 5 || l.Mean == nil || *l.Mean != 3 || *l.Distribution != [5]int{1, 1, 1, 1, 1} {
		t.Fatalf("listened %+v", l)
	}
	if f := r.Items[1]; f.N != 4 || f.Mean != nil || f.Distribution != nil {
		t.Fatalf("fixed_problem with 4 answers shown: %+v", f)
	}
	if len(r.Comments) != 5 || r.Comments[0] > r.Comments[1] {
		t.Fatalf("comments %v", r.Comments)
	}
	all := Aggregate(concat(responses(3, "2026-01", 1, 11, 100, 2), responses(3, "2026-02", 1, 11, 100, 4)), Options{Group: ByMentor, K: 5, AllPeriods: true})
	if len(all.Results) != 1 || all.Results[0].Period != "all" || *all.Results[0].Items[0].Mean != 3 {
		t.Fatalf("all periods %+v", all.Results)
	}
}

// The classic 2×2 example: 50 units, both say yes to 20 and no to 15, A alone says
// yes to 5, B alone to 10. pₒ = 35/50 = 0.7; pₑ = 0.5·0.6 + 0.5·0.4 = 0.5;
// κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
func TestKappa(t *testing.T) {
	build := func(cells ...[3]any) (a, b []string) {
		for _, c := range cells {
			for i := 0; i < c[2].(int); i++ {
				a, b = append(a, c[0].(string)), append(b, c[1].(string))
			}
		}
		return
	}
	cases := []struct {
		name       string
		a, b       []string
		pct, kappa float64
		undefined  bool
	}{
		{"classic 2x2", nil, nil, 70, 0.4, false},
		{"perfect", []string{"x", "y", "x"}, []string{"x", "y", "x"}, 100, 1, false},
		{"all one category", []string{"n", "n"}, []string{"n", "n"}, 100, 0, true},
		{"worse than chance", []string{"y", "n"}, []string{"n", "y"}, 0, -1, false},
	}
	cases[0].a, cases[0].b = build([3]any{"yes", "yes", 20}, [3]any{"yes", "no", 5}, [3]any{"no", "yes", 10}, [3]any{"no", "no", 15})
	for _, c := range cases {
		ag := Kappa(c.a, c.b)
		if *ag.Percent != c.pct {
			t.Errorf("%s: agreement %v, want %v", c.name, *ag.Percent, c.pct)
		}
		if c.undefined != (ag.Kappa == nil) || (!c.undefined && *ag.Kappa != c.kappa) {
			t.Errorf("%s: kappa %v, want %v", c.name, ag.Kappa, c.kappa)
		}
	}
}

func TestCompareCoders(t *testing.T) {
	body := "Nurse: the mentor listened.\n\nDirector: we had no amoxicillin.\nNurse: she showed me on the spot.\n"
	units := Units(body)
	if len(units) != 3 {
		t.Fatalf("units %v", units)
	}
	var ps []Passage
	tag := func(coder, theme int64, quote string) {
		p := Passage{CoderID: coder, ThemeID: theme, Quote: quote}
		if err := p.Locate(body); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	tag(1, 10, "the mentor listened")
	tag(2, 10, "the mentor listened")
	tag(1, 20, "no amoxicillin")
	tag(2, 30, "she showed me") // B saw real-time feedback where A saw nothing
	ps = append(ps, Passage{CoderID: 3, ThemeID: 40, Start: 0, End: 5})
	got := Compare(body, 1, 2, ps)
	// Themes 10, 20, 30 over 3 units = 9 decisions; they differ on 2.
	if got.Units != 3 || got.Overall.N != 9 || *got.Overall.Percent != 77.7778 {
		t.Fatalf("overall %+v", got.Overall)
	}
	if k := got.ByTheme[10]; *k.Kappa != 1 || len(got.ByTheme) != 3 {
		t.Fatalf("by theme %+v", got.ByTheme)
	}
	bad := Passage{ThemeID: 1, Quote: "not there"}
	if err := bad.Locate(body); mesh.ErrorFields(err)[0].Field != "quote" {
		t.Fatalf("missing quote: %v", err)
	}
	off := Passage{ThemeID: 1, Start: 0, End: 5}
	if err := off.Locate(body); err != nil || off.Quote != "Nurse" {
		t.Fatalf("offsets: %v %q", err, off.Quote)
	}
	bs, bp := CountThemes(ps, map[int64]*Source{0: {ID: 0, Period: "2026-02"}})
	if len(bs) != 4 || bs[0].Passages != 2 || len(bp) != 4 || bp[0].Period != "2026-02" {
		t.Fatalf("counts %+v %+v", bs, bp)
	}
}

// Every default statement has its voice.<key> indicator declared.
func TestIndicatorsDeclared(t *testing.T) {
	for _, it := range DefaultItems {
		ind, ok := indicator.Find(IndicatorPrefix + it.Key)
		if !ok || ind.Kind != indicator.Mean || ind.Source != "voice" {
			t.Errorf("indicator %s%s: %+v", IndicatorPrefix, it.Key, ind)
		}
	}
}

func TestIndicatorMonths(t *testing.T) {
	facts := func(month string, district int64, in bool, n int) []IndicatorFact {
		var out []IndicatorFact
		for range n {
			out = append(out, IndicatorFact{Month: month, DistrictID: district, InArea: in, Rating: 4})
		}
		return out
	}
	var fs []IndicatorFact
	fs = append(fs, facts("2026-01", 1, true, 5)...)  // shown: 5, rest of district 0
	fs = append(fs, facts("2026-02", 1, true, 4)...)  // hidden: 4 < 5
	fs = append(fs, facts("2026-03", 1, true, 6)...)  // hidden: the rest of the district holds 2
	fs = append(fs, facts("2026-03", 1, false, 2)...) //
	fs = append(fs, facts("2026-04", 1, true, 6)...)  // shown: the rest holds 5
	fs = append(fs, facts("2026-04", 1, false, 5)...) //
	got := IndicatorMonths(fs, 5)
	want := []IndicatorMonth{{"2026-01", 20, 5}, {"2026-04", 24, 6}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
