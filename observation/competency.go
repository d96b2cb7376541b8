package observation

import (
	"sort"
	"time"
)

// Competency domains of observation.md §4.
const (
	DomainAssessment     = "assessment"
	DomainClassification = "classification"
	DomainTreatment      = "treatment"
	DomainCounselling    = "counselling"
)

// Defaults of §4: the rolling window and the streak that makes a worker competent.
const (
	DefaultWindow = 5
	DefaultStreak = 3
)

// ScoredObservation is one past observation of a worker with its score.
type ScoredObservation struct {
	ObservedAt time.Time `json:"observed_at"`
	Score      Score     `json:"score"`
}

// DomainCompetency is a worker's standing in one domain.
type DomainCompetency struct {
	Observations int     `json:"observations"` // in the whole history
	Share        float64 `json:"share"`        // share correct over the last n
	FirstShare   float64 `json:"first_share"`  // share correct over the first n
	Trend        float64 `json:"trend"`        // Share − FirstShare: the change since the start
	Streak       int     `json:"streak"`       // consecutive correct, ending with the latest
	Competent    bool    `json:"competent"`    // Streak reaches the required streak
}

// domainCorrect says what "correct" means per domain. Assessment is correct only
// when every required task was done (assessment_index == 1).
var domainCorrect = map[string]func(Score) bool{
	DomainAssessment:     func(s Score) bool { return s.AssessmentIndex >= 1 },
	DomainClassification: func(s Score) bool { return s.ClassificationCorrect },
	DomainTreatment:      func(s Score) bool { return s.TreatmentCorrect },
	DomainCounselling:    func(s Score) bool { return s.CounsellingComplete },
}

// Competency computes each domain's rolling share over the last n observations, the
// trend against the first n, and whether the latest `streak` observations are all
// correct (a worker stops being "competent" after a miss, until a new streak; the
// learning-goal review needs the current state, not a past achievement). History is
// ordered by ObservedAt (stable), so the caller's order does not matter; n or streak
// ≤ 0 take the defaults. An empty history gives zero values.
func Competency(history []ScoredObservation, n, streak int) map[string]DomainCompetency {
	if n <= 0 {
		n = DefaultWindow
	}
	if streak <= 0 {
		streak = DefaultStreak
	}
	h := make([]ScoredObservation, len(history))
	copy(h, history)
	sort.SliceStable(h, func(i, j int) bool { return h[i].ObservedAt.Before(h[j].ObservedAt) })
	out := make(map[string]DomainCompetency, len(domainCorrect))
	for d, correct := range domainCorrect {
		out[d] = domainCompetency(h, correct, n, streak)
	}
	return out
}

func domainCompetency(h []ScoredObservation, correct func(Score) bool, n, streak int) DomainCompetency {
	ok := make([]bool, len(h))
	for i, o := range h {
		ok[i] = correct(o.Score)
	}
	c := DomainCompetency{Observations: len(h)}
	if len(h) == 0 {
		return c
	}
	w := min(n, len(h))
	c.Share = share(ok[len(ok)-w:])
	c.FirstShare = share(ok[:w])
	c.Trend = c.Share - c.FirstShare
	for i := len(ok) - 1; i >= 0 && ok[i]; i-- {
		c.Streak++
	}
	c.Competent = c.Streak >= streak
	return c
}

func share(ok []bool) float64 {
	k := 0
	for _, b := range ok {
		if b {
			k++
		}
	}
	return float64(k) / float64(len(ok))
}
