package indicator

import (
	"testing"

	"mesh/observation"
)

// Every indicator an observation scores itself into is declared in the catalogue,
// and every catalogue entry for observations is produced by some observation.
func TestCatalogueMatchesObservationIndicators(t *testing.T) {
	produced := map[string]bool{}
	for _, group := range []string{"CHILD", "YOUNG_INFANT"} {
		for _, v := range (observation.Score{AgeGroup: group}).Indicators() {
			produced[v.ID] = true
			if _, ok := Find(v.ID); !ok {
				t.Errorf("observation indicator %s is not in the catalogue", v.ID)
			}
		}
	}
	for _, ind := range Catalogue() {
		if ind.Source == "observations" && !produced[ind.ID] {
			t.Errorf("catalogue indicator %s is never produced by an observation", ind.ID)
		}
		for _, lang := range []string{"en", "fr", "rw"} {
			if ind.Names[lang] == "" {
				t.Errorf("%s has no %s name", ind.ID, lang)
			}
		}
	}
}

func TestCompute(t *testing.T) {
	p, _ := Find("imci.correct_classification")
	v := p.Compute("2026-11", 9, 10)
	if *v.Value != 0.9 || v.TooFew || v.CI95[0] == nil || *v.CI95[0] > 0.9 || *v.CI95[1] < 0.9 {
		t.Fatalf("proportion %+v", v)
	}
	// Wilson interval for 9/10: 0.59585, 0.98212 (Wilson 1927; R prop.test(correct=FALSE)).
	if d := *v.CI95[0] - 0.595852; d > 1e-5 || d < -1e-5 {
		t.Fatalf("lower bound %v", *v.CI95[0])
	}
	if v := p.Compute("2026-11", 1, 3); !v.TooFew {
		t.Fatal("denominator 3 not marked too few")
	}
	if v := p.Compute("2026-11", 0, 0); v.Value != nil {
		t.Fatal("empty month has a value")
	}
	m, _ := Find("imci.assessment_index")
	if v := m.Compute("2026-11", 4.5, 5); *v.Value != 0.9 || v.CI95[0] != nil {
		t.Fatalf("mean %+v", v)
	}
}
