package imci

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenInputs are complete cases whose whole result is pinned in testdata/*.golden.json.
func goldenInputs() map[string]map[string]any {
	return map[string]map[string]any{
		"pneumonia_malaria_some_dehydration": baseChild(8.0, coughBlock(52), diarrhoeaBlock(),
			set("diarrhoea.sunken_eyes", true), set("diarrhoea.restless_irritable", true), feverBlock(),
			set("fever.malaria_test", "positive"), set("temperature_c", 38.6), set("weight_kg", 7.5),
			set("preventive", map[string]any{"vaccines_received": []string{"BCG", "OPV0", "HEPB0", "PENTA1", "OPV1", "PCV1", "ROTA1"}})),
		"urgent_referral_danger_sign": baseChild(30.0, set("danger_signs.convulsing_now", true), coughBlock(45),
			feverBlock(), set("fever.malaria_test", "not_done"), set("temperature_c", 39.2), set("weight_kg", 12.0),
			set("anaemia.palmar_pallor", "some")),
		"young_infant_local_infection_jaundice": baseYI(20, set("weight_kg", 3.2), set("young_infant.skin_pustules", true),
			set("young_infant.jaundice", true), set("young_infant.feeding", map[string]any{"breastfed": true,
				"breastfeeds_per_24h": 6, "well_attached": false, "suckling_effectively": true, "thrush": false,
				"receives_other_foods_or_drinks": false, "waz": -1.0})),
		"incomplete_boxes": baseChild(30.0, del("cough"), set("nutrition.oedema_both_feet", nil),
			set("fever", map[string]any{"reported": true})),
	}
}

func TestGolden(t *testing.T) {
	for name, in := range goldenInputs() {
		t.Run(name, func(t *testing.T) {
			out, errs := ClassifyJSON(nil, mustJSON(t, in))
			if errs != nil {
				t.Fatal(errs)
			}
			var buf bytes.Buffer
			if err := json.Indent(&buf, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			buf.WriteByte('\n')
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from golden; run go test ./imci -run TestGolden -update and review the diff", path)
			}
		})
	}
}
