package i18n

import (
	"testing"

	"mesh"
)

func TestFieldMessage(t *testing.T) {
	between := mesh.RuleError("OUT_OF_RANGE", "cough.respiratory_rate", "%s must be an integer between %d and %d", "cough.respiratory_rate", 10, 150)
	if between.Message != "cough.respiratory_rate must be an integer between 10 and 150" {
		t.Fatalf("RuleError message %q", between.Message)
	}
	for _, c := range []struct {
		lang string
		fe   mesh.FieldError
		want string
	}{
		{"en", between, "cough.respiratory_rate must be an integer between 10 and 150"},
		{"fr", between, "cough.respiratory_rate doit être un nombre entier entre 10 et 150."},
		{"rw", between, "cough.respiratory_rate igomba kuba umubare wuzuye hagati ya 10 na 150."},
		// No rule: the form wording of the field's last part, then the code's.
		{"fr", mesh.FieldError{Code: "INVALID_FORMAT", Field: "places[2].time_zone", Message: "bad tz"}, "Saisissez un fuseau horaire comme Africa/Kigali."},
		{"fr", mesh.FieldError{Code: "MISSING_REQUIRED", Field: "goal", Message: "goal is required"}, "goal est obligatoire."},
		{"rw", mesh.FieldError{Code: "SOMETHING_NEW", Field: "goal", Message: "x"}, "goal ntabwo ari byo."},
		{"en", mesh.FieldError{Code: "MISSING_REQUIRED", Field: "goal", Message: "goal is required"}, "goal is required"},
		// No field: by the error code.
		{"fr", mesh.FieldError{Code: "FORBIDDEN", Message: "visit 3 is outside your area"}, "Ceci est hors de votre zone ou de votre rôle."},
		{"en", mesh.FieldError{Code: "FORBIDDEN", Message: "visit 3 is outside your area"}, "visit 3 is outside your area"},
	} {
		if got := FieldMessage(c.lang, c.fe); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.lang, c.fe, got, c.want)
		}
	}
}

func TestRuleKey(t *testing.T) {
	for rule, want := range map[string]string{
		"%s must be between %s and %s":           "rule.must_be_between_x_and_x",
		"%s must be %q":                          "rule.must_be_x",
		"%s must be %g–%g":                       "rule.must_be_x_x",
		"unknown field %q":                       "rule.unknown_field_x",
		"each measurement must be a JSON object": "rule.each_measurement_must_be_a_json_object",
	} {
		if got := RuleKey(rule); got != want {
			t.Errorf("RuleKey(%q) = %s, want %s", rule, got, want)
		}
	}
}
