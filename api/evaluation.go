package api

import (
	"net/http"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/evaluation"
)

// evaluationRoutes registers the evaluation API; the lead wires it from Routes.
func (s *Server) evaluationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/evaluation", s.evaluation)
}

// EvaluationRoles may run the evaluation: it is an aggregate (no worker is named) for
// those who judge a programme, not a tool for looking at one nurse.
var EvaluationRoles = []account.Role{account.Admin, account.Manager, account.Supervisor}

// CanEvaluate reports whether the user may run the evaluation.
func CanEvaluate(u *account.User) bool {
	if !account.Can(u, account.ReadIndicators) {
		return false
	}
	for _, r := range EvaluationRoles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// evaluation answers the baseline/follow-up comparison for a place (default: the
// caller's whole area): GET /api/v1/evaluation?orgunit=&baseline_from=YYYY-MM&
// baseline_to=&followup_from=&followup_to=[&covariates=a,b|none].
func (s *Server) evaluation(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if !CanEvaluate(c.User) {
		s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "your role (%s) may not run the evaluation", c.User.Role))
		return
	}
	es, ok := s.Store.(evaluation.Store)
	if !ok {
		s.fail(w, r, mesh.Errorf(mesh.EINTERNAL, "the store cannot answer evaluations"))
		return
	}
	q := r.URL.Query()
	p := evaluation.Periods{
		Baseline: evaluation.Window{From: q.Get("baseline_from"), To: q.Get("baseline_to")},
		Followup: evaluation.Window{From: q.Get("followup_from"), To: q.Get("followup_to")},
	}
	covariates, err := ParseCovariates(q.Get("covariates"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	under := c.Scope.Under()
	var orgunit int64
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
		under, orgunit = []string{o.Path}, o.ID
	}
	res, err := evaluation.Evaluate(ctx(r), es, under, p, covariates)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res.OrgUnit = orgunit
	writeJSON(w, http.StatusOK, res)
}

// ParseCovariates reads the covariates parameter: empty means the paper's four,
// "none" means none, else a comma-separated list of evaluation covariate names.
func ParseCovariates(s string) ([]string, error) {
	switch strings.TrimSpace(s) {
	case "":
		return evaluation.DefaultCovariates, nil
	case "none":
		return nil, nil
	}
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		known := false
		for _, k := range evaluation.DefaultCovariates {
			known = known || k == c
		}
		if !known {
			return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_CHOICE", Field: "covariates",
				Message: "covariates must be none or a comma-separated list of " + strings.Join(evaluation.DefaultCovariates, ", ")})
		}
		out = append(out, c)
	}
	return out, nil
}
