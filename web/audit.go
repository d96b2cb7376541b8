package web

import (
	"net/http"
	"net/url"
	"strconv"

	"mesh/account"
	"mesh/audit"
	"mesh/auth"
)

// AuditPage is the audit trail, newest first, a page at a time.
type AuditPage struct {
	Page
	Entity, EntityID string
	EntityOptions    []Option
	Entries          []*audit.Entry
	Total            int
	PageNo           int
	PrevURL, NextURL string
}

// auditPageSize is how many entries one page shows.
const auditPageSize = 50

// auditEntities are the kinds of record the trail holds, for the filter.
var auditEntities = []string{"orgunit", "health_worker", "user", "assignment", "session"}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadAudit, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &AuditPage{Page: s.page(w, r, "audit.title"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"),
		PageNo: max(1, int(queryInt(r, "page")))}
	p.EntityOptions = enumOptions(p.Lang, "entity.", auditEntities, "audit.all_entities")
	list, total, err := s.Store.FindAuditEntries(r.Context(), audit.Filter{Entity: p.Entity, EntityID: p.EntityID,
		Limit: auditPageSize, Offset: (p.PageNo - 1) * auditPageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Entries, p.Total = list, total
	if p.PageNo > 1 {
		p.PrevURL = auditURL(p.Entity, p.EntityID, p.PageNo-1)
	}
	if p.PageNo*auditPageSize < total {
		p.NextURL = auditURL(p.Entity, p.EntityID, p.PageNo+1)
	}
	s.render(w, r, http.StatusOK, "audit", p)
}

func auditURL(entity, entityID string, page int) string {
	v := url.Values{}
	if entity != "" {
		v.Set("entity", entity)
	}
	if entityID != "" {
		v.Set("entity_id", entityID)
	}
	v.Set("page", strconv.Itoa(page))
	return "/audit?" + v.Encode()
}
