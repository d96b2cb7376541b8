package observation

import (
	"testing"
	"time"
)

func TestCompetency(t *testing.T) {
	// obs builds a history from a pattern per observation: A, C, T, K = assessment,
	// classification, treatment, counselling correct.
	obs := func(patterns ...string) []ScoredObservation {
		var h []ScoredObservation
		for i, p := range patterns {
			s := Score{AssessmentIndex: 0.9}
			for _, r := range p {
				switch r {
				case 'A':
					s.AssessmentIndex = 1
				case 'C':
					s.ClassificationCorrect = true
				case 'T':
					s.TreatmentCorrect = true
				case 'K':
					s.CounsellingComplete = true
				}
			}
			h = append(h, ScoredObservation{ObservedAt: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC), Score: s})
		}
		return h
	}
	h := obs("", "C", "CA", "CTK", "CT", "CTK", "T", "ATK")
	got := Competency(h, 0, 0)
	tests := []struct {
		domain    string
		share     float64
		first     float64
		streak    int
		competent bool
	}{
		// last 5: CTK, CT, CTK, T, ATK
		{DomainAssessment, 1.0 / 5, 1.0 / 5, 1, false},
		{DomainClassification, 3.0 / 5, 4.0 / 5, 0, false},
		{DomainTreatment, 5.0 / 5, 2.0 / 5, 5, true},
		{DomainCounselling, 3.0 / 5, 1.0 / 5, 1, false},
	}
	for _, tt := range tests {
		c := got[tt.domain]
		if c.Share != tt.share || c.FirstShare != tt.first || c.Trend != tt.share-tt.first || c.Streak != tt.streak ||
			c.Competent != tt.competent || c.Observations != 8 {
			t.Errorf("%s = %+v, want share %v first %v streak %v competent %v", tt.domain, c, tt.share, tt.first, tt.streak, tt.competent)
		}
	}
	// Order of the input does not matter; a custom streak of 6 is not yet reached.
	rev := append([]ScoredObservation(nil), h...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if c := Competency(rev, 5, 6)[DomainTreatment]; c.Competent || c.Streak != 5 {
		t.Errorf("streak 6: %+v", c)
	}
	// A window of 2 and a streak of 1.
	if c := Competency(h, 2, 1)[DomainCounselling]; c.Share != 0.5 || !c.Competent {
		t.Errorf("n=2: %+v", c)
	}
	if c := Competency(nil, 5, 3)[DomainAssessment]; c.Observations != 0 || c.Competent {
		t.Errorf("empty: %+v", c)
	}
}
