package imci

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// mod changes a test input; inputs are built as generic maps so tests exercise Decode.
type mod func(map[string]any)

// set assigns a value at a dotted path, creating objects on the way.
func set(path string, v any) mod {
	return func(m map[string]any) {
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = deepCopy(v)
	}
}

// deepCopy copies map values so a mod reused across cases never shares state.
func deepCopy(v any) any {
	if m, ok := v.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = deepCopy(x)
		}
		return out
	}
	return v
}

// del removes the value at a dotted path.
func del(path string) mod {
	return func(m map[string]any) {
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		delete(m, parts[len(parts)-1])
	}
}

// baseChild is a well child of the given age in months: every box assessed, no sign.
func baseChild(age any, mods ...mod) map[string]any {
	m := map[string]any{
		"schema_version": "1.0",
		"setting":        map[string]any{"malaria_risk": "high"},
		"danger_signs": map[string]any{"not_able_to_drink_or_breastfeed": false, "vomits_everything": false,
			"convulsions_this_illness": false, "lethargic_or_unconscious": false, "convulsing_now": false},
		"cough":     map[string]any{"present": false},
		"diarrhoea": map[string]any{"present": false},
		"fever":     map[string]any{"reported": false},
		"ear":       map[string]any{"present": false},
		"nutrition": map[string]any{"oedema_both_feet": false, "wfh_z": 0.0, "muac_mm": 140.0, "feeding_problem": false},
		"anaemia":   map[string]any{"palmar_pallor": "none"},
	}
	if d, ok := age.(int); ok {
		m["age_days"] = d
	} else {
		m["age_months"] = age
	}
	for _, f := range mods {
		f(m)
	}
	return m
}

// baseYI is a well young infant of the given age in days.
func baseYI(days int, mods ...mod) map[string]any {
	m := map[string]any{
		"schema_version": "1.0", "age_days": days, "temperature_c": 36.8,
		"setting": map[string]any{"malaria_risk": "high"},
		"young_infant": map[string]any{"not_feeding_well": false, "convulsions": false, "respiratory_rate": 45,
			"severe_chest_indrawing": false, "movement": "normal", "umbilicus_red_or_draining_pus": false,
			"skin_pustules": false, "jaundice": false, "yellow_palms_and_soles": false},
	}
	for _, f := range mods {
		f(m)
	}
	return m
}

// cough, diarrhoea… return mods that fill a whole assessed block.
func coughBlock(rr int) mod {
	return set("cough", map[string]any{"present": true, "duration_days": 3, "respiratory_rate": rr,
		"chest_indrawing": false, "stridor_when_calm": false, "wheeze": false, "recurrent_wheeze": false})
}

func diarrhoeaBlock() mod {
	return set("diarrhoea", map[string]any{"present": true, "duration_days": 3, "blood_in_stool": false,
		"restless_irritable": false, "sunken_eyes": false, "drinking": "drinks_normally", "skin_pinch": "immediately"})
}

func feverBlock() mod {
	return set("fever", map[string]any{"reported": true, "duration_days": 2, "present_every_day": false,
		"stiff_neck": false, "travel_to_malaria_area_last_15_days": false, "malaria_test": "negative",
		"runny_nose": false, "other_obvious_cause": false, "generalized_rash": false, "red_eyes": false,
		"measles_last_3_months": false})
}

func earBlock() mod {
	return set("ear", map[string]any{"present": true, "ear_pain": false, "pus_seen_draining": false,
		"tender_swelling_behind_ear": false})
}

func mods(ms ...mod) mod {
	return func(m map[string]any) {
		for _, f := range ms {
			f(m)
		}
	}
}

// classifyMap runs an input map through Decode and Classify, failing on errors.
func classifyMap(t testing.TB, m map[string]any) Result {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	in, errs := Decode(data)
	if errs != nil {
		t.Fatalf("unexpected errors: %+v\ninput: %s", errs, data)
	}
	r, err := Classify(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// boxCodes lists the classification codes of one box, sorted.
func boxCodes(r Result, box string) []string {
	out := []string{}
	for _, c := range r.Classifications {
		if c.Box == box {
			out = append(out, c.Code)
		}
	}
	sort.Strings(out)
	return out
}

func allCodes(r Result) []string {
	out := []string{}
	for _, c := range r.Classifications {
		out = append(out, c.Code)
	}
	sort.Strings(out)
	return out
}

// incompleteOf returns the missing fields of a box, or nil when it is not incomplete.
func incompleteOf(r Result, box string) []string {
	for _, b := range r.Incomplete {
		if b.Box == box {
			return b.Missing
		}
	}
	return nil
}

func treatment(r Result, code string) (Treatment, bool) {
	for _, t := range r.Treatments {
		if t.Code == code {
			return t, true
		}
	}
	return Treatment{}, false
}

func txCodes(ts []Treatment) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Code)
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// boxCase is one row of a decision-table test: input, box, expected codes and
// expected missing fields (nil: the box must not be incomplete).
type boxCase struct {
	name    string
	in      map[string]any
	box     string
	want    []string
	missing []string
}

func runBoxCases(t *testing.T, cases []boxCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := classifyMap(t, c.in)
			if got := boxCodes(r, c.box); !eq(got, sorted(c.want...)) {
				t.Errorf("box %s: got %v, want %v", c.box, got, sorted(c.want...))
			}
			if got := incompleteOf(r, c.box); !eq(got, sorted(c.missing...)) {
				t.Errorf("box %s incomplete: got %v, want %v", c.box, got, c.missing)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// protocolWith returns a copy of the default protocol changed by f, reloaded through
// LoadProtocol so the copy is checked like a deployment's file.
func protocolWith(t testing.TB, f func(*Protocol)) *Protocol {
	t.Helper()
	var p Protocol
	if err := json.Unmarshal(defaultProtocolJSON, &p); err != nil {
		t.Fatal(err)
	}
	f(&p)
	q, err := LoadProtocol(mustJSON(t, p))
	if err != nil {
		t.Fatal(err)
	}
	return q
}
