package api_test

import (
	"strings"
	"testing"

	"mesh/sqlstore"
)

func TestClassifyEndpoint(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	child := `{"schema_version":"1.0","age_months":14,"weight_kg":9.5,"setting":{"malaria_risk":"low"},
		"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
		"cough":{"present":true,"duration_days":3,"respiratory_rate":52,"chest_indrawing":false,"stridor_when_calm":false,"wheeze":false}}`
	st, body := f.do(t, "", "POST", "/api/v1/imci/classify", child)
	if st != 200 || !strings.Contains(body, `"PNEUMONIA"`) || !strings.Contains(body, `"engine_version"`) {
		t.Fatalf("classify: %d %s", st, body)
	}
	st, body = f.do(t, "", "POST", "/api/v1/imci/classify", "["+child+","+strings.Replace(child, "52", "500", 1)+"]")
	if st != 400 || !strings.Contains(body, `"field":"[1].cough.respiratory_rate"`) || !strings.Contains(body, `"OUT_OF_RANGE"`) {
		t.Fatalf("bad array: %d %s", st, body)
	}
	if st, _ := f.do(t, "", "POST", "/api/v1/imci/classify", "{not json"); st != 400 {
		t.Fatalf("malformed: %d", st)
	}
}
