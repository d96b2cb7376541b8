package dhis2

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"mesh"
)

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	for _, f := range mesh.ErrorFields(err) {
		out[f.Field] = f.Code
	}
	return out
}

func TestDHIS2MappingValidation(t *testing.T) {
	cases := []struct {
		name string
		json string
		want map[string]string // field → code; nil means valid
	}{
		{"valid uid", `{"data_set":"MESHimci001","id_scheme":"uid","entries":[
			{"indicator":"imci.correctly_managed","part":"numerator","data_element":"IMCIcorrN01"},
			{"indicator":"imci.correctly_managed","part":"denominator","data_element":"IMCIcorrD01","category_option_combo":"cocUnder5y1"}]}`, nil},
		{"valid code, scheme defaults", `{"id_scheme":"code","entries":[{"indicator":"mentoring.visits","part":"value","data_element":"MESH_VISITS"}]}`, nil},
		{"empty scheme is uid", `{"entries":[{"indicator":"mentoring.visits","part":"value","data_element":"MESH_VISITS"}]}`,
			map[string]string{"entries[0].data_element": "INVALID_FORMAT"}},
		{"unknown indicator", `{"entries":[{"indicator":"imci.nope","part":"value","data_element":"IMCIcorrN01"}]}`,
			map[string]string{"entries[0].indicator": "NOT_FOUND"}},
		{"bad uid shapes", `{"data_set":"1badDataSet","entries":[{"indicator":"imci.weighed","part":"value","data_element":"short","category_option_combo":"9cocUnder5y"}]}`,
			map[string]string{"data_set": "INVALID_FORMAT", "entries[0].data_element": "INVALID_FORMAT", "entries[0].category_option_combo": "INVALID_FORMAT"}},
		{"bad part", `{"entries":[{"indicator":"imci.weighed","part":"ratio","data_element":"IMCIcorrN01"}]}`,
			map[string]string{"entries[0].part": "UNKNOWN_ENUM_VALUE"}},
		{"count has no denominator", `{"entries":[{"indicator":"mentoring.visits","part":"denominator","data_element":"IMCIcorrN01"}]}`,
			map[string]string{"entries[0].part": "NOT_APPLICABLE"}},
		{"missing everything", `{"entries":[{}]}`,
			map[string]string{"entries[0].indicator": "MISSING_REQUIRED", "entries[0].part": "MISSING_REQUIRED", "entries[0].data_element": "MISSING_REQUIRED"}},
		{"bad scheme", `{"id_scheme":"name","entries":[]}`, map[string]string{"id_scheme": "UNKNOWN_ENUM_VALUE"}},
		{"duplicates", `{"entries":[
			{"indicator":"imci.weighed","part":"value","data_element":"IMCIcorrN01"},
			{"indicator":"imci.weighed","part":"value","data_element":"IMCIcorrN02"},
			{"indicator":"imci.pallor_checked","part":"value","data_element":"IMCIcorrN01"}]}`,
			map[string]string{"entries[1].part": "DUPLICATE", "entries[2].data_element": "DUPLICATE"}},
		{"all errors at once", `{"entries":[
			{"indicator":"imci.weighed","part":"value","data_element":"IMCIcorrN01"},
			{"indicator":"x","part":"value","data_element":"IMCIcorrN02"},
			{"indicator":"imci.weighed","part":"bad","data_element":"IMCIcorrN03"},
			{"indicator":"imci.weighed","part":"numerator","data_element":"bad uid!!"}]}`,
			map[string]string{"entries[1].indicator": "NOT_FOUND", "entries[2].part": "UNKNOWN_ENUM_VALUE", "entries[3].data_element": "INVALID_FORMAT"}},
		{"unknown field", `{"entries":[],"dataset":"x"}`, map[string]string{"dataset": "UNKNOWN_FIELD"}},
		{"wrong type", `{"entries":{}}`, map[string]string{"entries": "WRONG_TYPE"}},
		{"not json", `{"entries":[`, map[string]string{"": "MALFORMED_JSON"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := DecodeMapping(strings.NewReader(c.json))
			if c.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v %+v", err, mesh.ErrorFields(err))
				}
				if m.IDScheme == "" || m.Entries == nil {
					t.Errorf("not normalized: %+v", m)
				}
				return
			}
			if mesh.ErrorCode(err) != mesh.EINVALID {
				t.Fatalf("want EINVALID, got %v", err)
			}
			if got := fieldsOf(err); !reflect.DeepEqual(got, c.want) {
				t.Errorf("fields %v, want %v (%+v)", got, c.want, mesh.ErrorFields(err))
			}
		})
	}
}

func TestDHIS2ParsePeriod(t *testing.T) {
	good := []struct {
		id, typ, start, end string
		months              int
	}{
		{"202603", Monthly, "2026-03", "2026-03", 1},
		{"202612", Monthly, "2026-12", "2026-12", 1},
		{"2026Q1", Quarterly, "2026-01", "2026-03", 3},
		{"2026Q4", Quarterly, "2026-10", "2026-12", 3},
		{"2026", Yearly, "2026-01", "2026-12", 12},
	}
	for _, g := range good {
		p, err := ParsePeriod(g.id)
		if err != nil {
			t.Errorf("%s: %v", g.id, err)
			continue
		}
		if p.ID != g.id || p.Type != g.typ || p.Start != g.start || p.End != g.end || len(p.Months()) != g.months {
			t.Errorf("%s: %+v months %v", g.id, p, p.Months())
		}
	}
	if got := mustPeriod(t, "2026Q2").Months(); !reflect.DeepEqual(got, []string{"2026-04", "2026-05", "2026-06"}) {
		t.Errorf("2026Q2 months %v", got)
	}
	for _, bad := range []string{"", "2026-03", "202613", "202600", "2026Q0", "2026Q5", "2026W10", "26", "0202", "20260", "2026S1", "2026July", "+20603", "202603 ", "2026q1"} {
		_, err := ParsePeriod(bad)
		if f := mesh.ErrorFields(err); mesh.ErrorCode(err) != mesh.EINVALID || len(f) != 1 || f[0].Field != "period" {
			t.Errorf("%q: want EINVALID naming period, got %v", bad, err)
		}
	}
}

func mustPeriod(t *testing.T, id string) Period {
	t.Helper()
	p, err := ParsePeriod(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDHIS2Build(t *testing.T) {
	m := &Mapping{DataSet: "MESHimci001", IDScheme: SchemeUID, Entries: []Entry{
		{Indicator: "imci.correctly_managed", Part: PartValue, DataElement: "IMCIcorrV01"},
		{Indicator: "imci.correctly_managed", Part: PartNumerator, DataElement: "IMCIcorrN01", CategoryOptionCombo: "cocUnder5y1"},
		{Indicator: "imci.correctly_managed", Part: PartDenominator, DataElement: "IMCIcorrD01"},
		{Indicator: "imci.assessment_index", Part: PartValue, DataElement: "IMCIassV001"},
		{Indicator: "mentoring.visits", Part: PartValue, DataElement: "MESHvisits1"},
	}}
	facilities := []FacilityCounts{
		{ID: 2, Name: "B", UID: "bbbbbbbbbbb", Counts: map[string]Count{
			"imci.correctly_managed": {Num: 17, Den: 20}, "imci.assessment_index": {Num: 2.5, Den: 3}, "mentoring.visits": {Num: 2}}},
		{ID: 1, Name: "A", UID: "aaaaaaaaaaa", Counts: map[string]Count{"imci.correctly_managed": {Num: 0, Den: 0.0}, "mentoring.visits": {Num: 1}}},
		{ID: 3, Name: "No uid", Code: "HC3", Counts: map[string]Count{"mentoring.visits": {Num: 1}}},
		{ID: 4, Name: "Unmapped only", Counts: map[string]Count{"imci.weighed": {Num: 1, Den: 1}}},
	}
	set, skipped := Build(m, mustPeriod(t, "2026Q1"), facilities)
	want := []DataValue{
		{DataElement: "IMCIcorrD01", Period: "2026Q1", OrgUnit: "aaaaaaaaaaa", Value: "0"},
		{DataElement: "IMCIcorrN01", Period: "2026Q1", OrgUnit: "aaaaaaaaaaa", CategoryOptionCombo: "cocUnder5y1", Value: "0"},
		{DataElement: "MESHvisits1", Period: "2026Q1", OrgUnit: "aaaaaaaaaaa", Value: "1"},
		{DataElement: "IMCIassV001", Period: "2026Q1", OrgUnit: "bbbbbbbbbbb", Value: "0.8333"},
		{DataElement: "IMCIcorrD01", Period: "2026Q1", OrgUnit: "bbbbbbbbbbb", Value: "20"},
		{DataElement: "IMCIcorrN01", Period: "2026Q1", OrgUnit: "bbbbbbbbbbb", CategoryOptionCombo: "cocUnder5y1", Value: "17"},
		{DataElement: "IMCIcorrV01", Period: "2026Q1", OrgUnit: "bbbbbbbbbbb", Value: "0.85"},
		{DataElement: "MESHvisits1", Period: "2026Q1", OrgUnit: "bbbbbbbbbbb", Value: "2"},
	}
	if set.DataSet != "MESHimci001" || !reflect.DeepEqual(set.DataValues, want) {
		got, _ := json.MarshalIndent(set, "", " ")
		t.Errorf("payload:\n%s", got)
	}
	if !reflect.DeepEqual(skipped, []Skipped{{ID: 3, Name: "No uid"}}) {
		t.Errorf("skipped %+v", skipped)
	}
	// With the code scheme the facility with only a code is sent and the others skipped.
	m.IDScheme = SchemeCode
	set, skipped = Build(m, mustPeriod(t, "2026Q1"), facilities)
	if len(set.DataValues) != 1 || set.DataValues[0].OrgUnit != "HC3" || len(skipped) != 2 {
		t.Errorf("code scheme: %+v skipped %+v", set.DataValues, skipped)
	}
	b, _ := json.Marshal(&DataValueSet{DataValues: []DataValue{{DataElement: "d", Period: "p", OrgUnit: "o", Value: "1"}}})
	if string(b) != `{"dataValues":[{"dataElement":"d","period":"p","orgUnit":"o","value":"1"}]}` {
		t.Errorf("optional fields not omitted: %s", b)
	}
}

func TestDHIS2FormatNumber(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 42: "42", 0.85: "0.85", 1.0 / 3: "0.3333", 2.0 / 3: "0.6667", 1e7: "10000000", -0.00001: "0", 123456.78905: "123456.7891"} {
		if got := FormatNumber(x); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", x, got, want)
		}
	}
}

// dhis2Stub answers like DHIS2's /api/dataValueSets with a fixed status and body.
func dhis2Stub(t *testing.T, status int, body string, check func(r *http.Request, payload DataValueSet)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p DataValueSet
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &p)
		if check != nil {
			check(r, p)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDHIS2PushSummaries(t *testing.T) {
	set := &DataValueSet{DataValues: []DataValue{{DataElement: "IMCIcorrN01", Period: "202603", OrgUnit: "DmKAY000001", Value: "3"}}}
	cases := []struct {
		name       string
		status     int
		body       string
		wantErr    string
		wantStatus string
		imported   int
		conflicts  int
	}{
		{"old bare summary", 200, `{"responseType":"ImportSummary","status":"SUCCESS","importCount":{"imported":1,"updated":0,"ignored":0,"deleted":0}}`, "", "SUCCESS", 1, 0},
		{"new wrapped warning", 409, `{"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING","message":"One more conflicts encountered, please check import summary.",
			"response":{"responseType":"ImportSummary","status":"WARNING","importCount":{"imported":0,"updated":0,"ignored":1,"deleted":0},
			"conflicts":[{"object":"IMCIcorrN01","objects":{"dataElement":"IMCIcorrN01"},"value":"Data element not found or not accessible","errorCode":"E7610","property":"dataElement","indexes":[0]}]}}`,
			"409", "WARNING", 0, 1},
		{"error status on 200", 200, `{"status":"ERROR","description":"The import process failed: dataSet not found","importCount":{"imported":0,"updated":0,"ignored":1,"deleted":0}}`, "dataSet not found", "ERROR", 0, 0},
		{"unauthorized", 401, `{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}`, "401", "", 0, 0},
		{"proxy page", 502, `<html>Bad gateway</html>`, "Bad gateway", "", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := dhis2Stub(t, c.status, c.body, nil)
			s, err := (&Client{BaseURL: srv.URL, Token: "d2pat_x"}).Push(context.Background(), set, PushOptions{})
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err %v, want containing %q", err, c.wantErr)
			}
			if c.wantStatus == "" {
				return
			}
			if s == nil || s.Status != c.wantStatus || s.ImportCount.Imported != c.imported || len(s.Conflicts) != c.conflicts {
				t.Fatalf("summary %+v", s)
			}
			var b strings.Builder
			s.WriteReport(&b, false)
			if c.conflicts > 0 && !strings.Contains(b.String(), "IMCIcorrN01: Data element not found or not accessible (E7610)") {
				t.Errorf("report:\n%s", b.String())
			}
		})
	}
	if _, err := (&Client{BaseURL: "ftp://x", Token: "t"}).Push(context.Background(), set, PushOptions{}); mesh.ErrorCode(err) != mesh.EINVALID {
		t.Errorf("bad url: %v", err)
	}
}
