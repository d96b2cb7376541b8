package dhis2

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"mesh"
)

// FuzzDecodeMapping feeds arbitrary bytes to the mapping import (`mesh dhis2 mapping
// import`). It must never panic; a refusal is one EINVALID error whose fields all
// carry a code and a message; and what it accepts must survive the export → import
// round trip unchanged (export writes exactly the format import reads).
func FuzzDecodeMapping(f *testing.F) {
	for _, s := range []string{
		`{"data_set":"MESHimci001","id_scheme":"uid","entries":[
			{"indicator":"imci.correctly_managed","part":"numerator","data_element":"IMCIcorrN01"},
			{"indicator":"imci.correctly_managed","part":"denominator","data_element":"IMCIcorrD01","category_option_combo":"cocUnder5y1"}]}`,
		`{"id_scheme":"code","entries":[{"indicator":"mentoring.visits","part":"value","data_element":"MESH_VISITS"}]}`,
		`{"id_scheme":" CODE ","entries":[{"indicator":" imci.weighed ","part":" Value ","data_element":" X "}]}`,
		`{"entries":[{}]}`, `{"entries":{}}`, `{"entries":[],"dataset":"x"}`, `{"entries":[`, ``, `null`, `{} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMapping(bytes.NewReader(data))
		if err != nil {
			if mesh.ErrorCode(err) != mesh.EINVALID {
				t.Fatalf("refusal is not EINVALID: %v", err)
			}
			fields := mesh.ErrorFields(err)
			if len(fields) == 0 {
				t.Fatalf("refusal without fields: %v", err)
			}
			for _, fe := range fields {
				if fe.Code == "" || fe.Message == "" || !utf8.ValidString(fe.Message) {
					t.Fatalf("incomplete field error %+v", fe)
				}
			}
			return
		}
		if m.IDScheme != SchemeUID && m.IDScheme != SchemeCode {
			t.Fatalf("accepted id_scheme %q", m.IDScheme)
		}
		for _, e := range m.Entries {
			if e.Indicator == "" || e.Part == "" || e.DataElement == "" || e.Indicator != strings.TrimSpace(e.Indicator) {
				t.Fatalf("accepted an incomplete or untrimmed entry %+v", e)
			}
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeMapping(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("exported mapping %s does not import: %v %+v", out, err, mesh.ErrorFields(err))
		}
		if !reflect.DeepEqual(m, back) {
			t.Fatalf("round trip changed the mapping:\n%+v\n%+v", m, back)
		}
	})
}
