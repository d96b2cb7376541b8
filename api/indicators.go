package api

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/indicator"
)

// IndicatorStore reads summed indicator counts.
type IndicatorStore interface {
	IndicatorCounts(ctx context.Context, id string, under []string, from, to string) ([]indicator.MonthCount, error)
}

func (s *Server) listIndicators(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadIndicators, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	cat := indicator.Catalogue()
	writeList(w, cat, len(cat))
}

var monthRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// indicatorValues answers an indicator's monthly values for a place (default: the
// caller's whole area), summing numerators and denominators over the place's
// facilities, with Wilson 95% intervals.
func (s *Server) indicatorValues(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	ind, ok := indicator.Find(r.PathValue("id"))
	if !ok {
		s.fail(w, r, mesh.Errorf(mesh.ENOTFOUND, "no indicator %q: GET /api/v1/indicators lists them", r.PathValue("id")))
		return
	}
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	var errs []mesh.FieldError
	for name, v := range map[string]string{"from": from, "to": to} {
		if v != "" && !monthRE.MatchString(v) {
			errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: name, Message: name + " must be a month in YYYY-MM form"})
		}
	}
	if len(errs) == 0 && from != "" && to != "" && from > to {
		errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: "to", Message: "to must not be before from"})
	}
	if len(errs) > 0 {
		s.fail(w, r, mesh.Invalid(errs...))
		return
	}
	under := c.Scope.Under()
	if id, err := queryInt(r, "orgunit"); err != nil {
		s.fail(w, r, err)
		return
	} else if id != nil {
		o, err := s.Store.FindOrgUnitByID(ctx(r), *id)
		if err == nil {
			err = auth.Check(c, account.ReadIndicators, o.Path)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		under = []string{o.Path}
	}
	var counts []indicator.MonthCount
	var err error
	if indicator.ComputedOnRead(ind) {
		// Stock-out days, open issues and active projects depend on the day they are
		// asked (an open stock-out gains a day at midnight with no write at all), so
		// they are computed from their records now instead of kept in indicator_counts.
		// They need a closed range: default the last twelve months up to this month.
		if to == "" {
			to = s.now().Format("2006-01")
		}
		if from == "" {
			t, _ := time.Parse("2006-01", to)
			from = t.AddDate(0, -11, 0).Format("2006-01")
		}
		if ind.Source == "voice" {
			counts, err = s.Store.VoiceIndicatorCounts(ctx(r), ind.ID, under, from, to)
		} else {
			counts, err = s.Store.ComputedCounts(ctx(r), ind.ID, under, from, to, s.now())
		}
	} else {
		counts, err = s.Store.IndicatorCounts(ctx(r), ind.ID, under, from, to)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"indicator": ind.ID, "kind": ind.Kind, "values": monthlyValues(ind, counts, from, to)})
}

// monthlyValues lists every month from..to (when both are given, at most ten years)
// so charts show empty months as gaps, else just the months with data.
func monthlyValues(ind *indicator.Indicator, counts []indicator.MonthCount, from, to string) []indicator.Value {
	byMonth := map[string]indicator.MonthCount{}
	for _, c := range counts {
		byMonth[c.Month] = c
	}
	var months []string
	if from != "" && to != "" {
		t, _ := time.Parse("2006-01", from)
		end, _ := time.Parse("2006-01", to)
		for i := 0; !t.After(end) && i < 120; i++ {
			months = append(months, t.Format("2006-01"))
			t = t.AddDate(0, 1, 0)
		}
	} else {
		for _, c := range counts {
			months = append(months, c.Month)
		}
	}
	out := make([]indicator.Value, 0, len(months))
	for _, m := range months {
		c := byMonth[m]
		out = append(out, ind.Compute(m, c.Num, c.Den))
	}
	return out
}
