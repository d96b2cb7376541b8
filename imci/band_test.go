package imci

import "testing"

// At every weight the engine's own figure lies inside the range it accepts, so a
// worker who gives exactly the engine's dose is never scored as out of band (found by
// the demo: gentamicin at 14.3 kg, ORS Plan B at 12.6 kg).
func TestComputedDoseInsideAcceptedRange(t *testing.T) {
	someDehydration := set("diarrhoea", map[string]any{"present": true, "duration_days": 2, "blood_in_stool": false,
		"restless_irritable": true, "sunken_eyes": true, "drinking": "drinks_eagerly_thirsty", "skin_pinch": "slowly"})
	chestIndrawing := set("cough", map[string]any{"present": true, "duration_days": 3, "respiratory_rate": 55,
		"chest_indrawing": true, "stridor_when_calm": false, "wheeze": false, "recurrent_wheeze": false})
	for w := 4.0; w <= 19.0; w += 0.1 {
		for _, m := range []mod{someDehydration, chestIndrawing} {
			r := classifyMap(t, baseChild(30.0, set("weight_kg", w), m))
			for _, tx := range append(r.Treatments, r.DeferredTreatments...) {
				check := func(what string, v, lo, hi OptFloat) {
					if v.OK && lo.OK && hi.OK && (v.V < lo.V-1e-9 || v.V > hi.V+1e-9) {
						t.Errorf("%.1f kg %s: %s %v outside [%v, %v]", w, tx.Code, what, v.V, lo.V, hi.V)
					}
				}
				check("dose_mg", tx.DoseMg, tx.DoseMgMin, tx.DoseMgMax)
				check("dose_ml", tx.DoseMl, tx.DoseMlMin, tx.DoseMlMax)
				check("volume_ml", tx.VolumeMl, tx.DoseMlMin, tx.DoseMlMax)
			}
		}
	}
}
