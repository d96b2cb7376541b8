package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/metrics"
	"mesh/sqlstore"
)

// MaxSyncRecords caps one upload batch (interfaces.md).
const MaxSyncRecords = 500

// maxSyncBody allows 500 full observations.
const maxSyncBody = 16 << 20

// SyncRecord is one record of an upload batch.
type SyncRecord struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Version *int            `json:"version"`
	Data    json.RawMessage `json:"data"`
}

// SyncResult is the outcome of one record, in the order sent.
type SyncResult struct {
	ID      string            `json:"id"`
	Status  string            `json:"status"` // stored, already_stored, conflict, invalid
	Version int               `json:"version,omitempty"`
	Errors  []mesh.FieldError `json:"errors,omitempty"`
}

// ChangeStore reads the change log.
type ChangeStore interface {
	FindChanges(ctx context.Context, after int64, under []string, types []string, limit int) ([]sqlstore.Change, bool, error)
}

// syncUpload stores a batch from a device's outbox. Each record commits in its own
// transaction and is acknowledged only after that commit; resending a batch answers
// already_stored and changes nothing. A failure of the database itself aborts the
// request (5xx), so the client retries and nothing is acknowledged that is not stored.
func (s *Server) syncUpload(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadPlaces, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var batch struct {
		Records []SyncRecord `json:"records"`
	}
	if err := DecodeJSON(http.MaxBytesReader(w, r.Body, maxSyncBody), &batch); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(batch.Records) > MaxSyncRecords {
		s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "records",
			Message: "send at most " + strconv.Itoa(MaxSyncRecords) + " records per batch"}))
		return
	}
	results := make([]SyncResult, len(batch.Records))
	for i, rec := range batch.Records {
		res, err := s.syncOne(r, rec)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		results[i] = res
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// syncOne stores one record and classifies the outcome; only internal errors are
// returned as errors.
func (s *Server) syncOne(r *http.Request, rec SyncRecord) (SyncResult, error) {
	res := SyncResult{ID: rec.ID}
	version, unchanged, err := s.storeSynced(r, rec)
	switch code := mesh.ErrorCode(err); {
	case err == nil && unchanged:
		res.Status, res.Version = "already_stored", version
	case err == nil:
		res.Status, res.Version = "stored", version
	case code == mesh.ECONFLICT:
		res.Status, res.Errors = "conflict", []mesh.FieldError{{Code: "CONFLICT", Message: mesh.ErrorMessage(err)}}
	case code == mesh.EINVALID, code == mesh.EFORBIDDEN, code == mesh.ENOTFOUND, code == mesh.ETOOLARGE:
		res.Status, res.Errors = "invalid", mesh.ErrorFields(err)
		if len(res.Errors) == 0 {
			res.Errors = []mesh.FieldError{{Code: upper(code), Message: mesh.ErrorMessage(err)}}
		}
	default:
		return res, err
	}
	syncRecords.With(res.Status).Inc()
	return res, nil
}

// syncRecords counts what devices sent, for /metrics: already_stored is a duplicate.
var syncRecords = metrics.Default.Counter("mesh_sync_records_total",
	"Records received by POST /api/v1/sync, by outcome: stored, already_stored (a resent duplicate), conflict, invalid.", "outcome")

func upper(s string) string { return string(bytes.ToUpper([]byte(s))) }

// storeSynced dispatches a record to the same code path as its own endpoint.
func (s *Server) storeSynced(r *http.Request, rec SyncRecord) (version int, unchanged bool, err error) {
	switch rec.Type {
	case "visit":
		var in visitInput
		if err := DecodeJSON(bytes.NewReader(rec.Data), &in); err != nil {
			return 0, false, err
		}
		if in.ID == "" {
			in.ID = rec.ID
		} else if in.ID != rec.ID {
			return 0, false, mesh.Invalid(mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "data.id", Message: "data.id differs from the record id"})
		}
		if rec.Version != nil {
			in.Version = rec.Version
		}
		v, _, err := s.PutVisit(r, in)
		if err != nil {
			return 0, false, err
		}
		return v.Version, v.Unchanged, nil
	case "observation":
		o, _, err := s.SaveObservation(r, rec.ID, rec.Data, rec.Version)
		if err != nil {
			return 0, false, err
		}
		return o.Version, o.Unchanged, nil
	case "readiness_check":
		var in checkInput
		if err := decodeSynced(rec, &in, &in.ID, &in.Version); err != nil {
			return 0, false, err
		}
		c, _, err := s.SaveCheck(r, in)
		if err != nil {
			return 0, false, err
		}
		return c.Version, c.Unchanged, nil
	case "stock_event":
		var in stockInput
		if err := decodeSynced(rec, &in, &in.ID, &in.Version); err != nil {
			return 0, false, err
		}
		e, _, err := s.SaveStockEvent(r, in, false)
		if err != nil {
			return 0, false, err
		}
		return e.Version, e.Unchanged, nil
	case "issue":
		var in issueInput
		if err := decodeSynced(rec, &in, &in.ID, &in.Version); err != nil {
			return 0, false, err
		}
		i, _, err := s.SaveIssue(r, in)
		if err != nil {
			return 0, false, err
		}
		return i.Version, i.Unchanged, nil
	case "mentee_feedback": // anonymous answers: stored once, never in /sync/changes
		unchanged, err := s.SyncFeedback(r, rec)
		return 0, unchanged, err
	}
	return 0, false, mesh.Invalid(mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "type", Message: "type must be visit, observation, readiness_check, stock_event, issue or mentee_feedback"})
}

// decodeSynced decodes a synced record's data into in, whose id and version fields
// are given: the record's id fills a missing data.id, and its version wins.
func decodeSynced(rec SyncRecord, in any, id *string, version **int) error {
	if err := DecodeJSON(bytes.NewReader(rec.Data), in); err != nil {
		return err
	}
	if *id == "" {
		*id = rec.ID
	} else if !strings.EqualFold(*id, rec.ID) {
		return mesh.Invalid(mesh.FieldError{Code: "CONFLICTING_FIELDS", Field: "data.id", Message: "data.id differs from the record id"})
	}
	if rec.Version != nil {
		*version = rec.Version
	}
	return nil
}

// Change is one entry of GET /api/v1/sync/changes.
type Change struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Version int    `json:"version"`
	Deleted bool   `json:"deleted,omitempty"`
	Data    any    `json:"data"`
}

// syncChanges pages through what changed in the caller's area since a cursor. Named
// per-worker records (observations) go only to roles that may read them.
func (s *Server) syncChanges(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var after int64
	if since := r.URL.Query().Get("since"); since != "" {
		v, err := strconv.ParseInt(since, 10, 64)
		if err != nil || v < 0 {
			s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "since", Message: "since must be a cursor returned by this endpoint"}))
			return
		}
		after = v
	}
	limit := 200
	if l, err := queryInt(r, "limit"); err != nil || (l != nil && (*l < 1 || *l > 1000)) {
		s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "limit", Message: "limit must be between 1 and 1000"}))
		return
	} else if l != nil {
		limit = int(*l)
	}
	types, err := changeTypes(c.User, r.URL.Query().Get("types"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(types) == 0 { // nothing asked for that the caller may read
		writeJSON(w, http.StatusOK, map[string]any{"changes": []Change{}, "cursor": strconv.FormatInt(after, 10), "more": false})
		return
	}
	log, more, err := s.Store.FindChanges(ctx(r), after, c.Scope.Under(), types, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]Change, 0, len(log))
	cursor := after
	for _, e := range log {
		ch, err := s.loadChange(r, e)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, ch)
		cursor = e.Seq
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": out, "cursor": strconv.FormatInt(cursor, 10), "more": more})
}

// changeTypes are the record types a change feed carries: those asked for in types
// (a comma-separated list; empty: every record type, without the reference data),
// less those the caller may not read. Reference data (places and health workers,
// logged by the triggers of migration 0012) comes only when asked for, so clients
// written before it see the feed they knew.
func changeTypes(u *account.User, asked string) ([]string, error) {
	readable := map[string]account.Permission{
		"place": account.ReadPlaces, "health_worker": account.ReadWorkers, "visit": account.ReadVisits,
		"observation": account.ReadObservations, "readiness_check": account.ReadReadiness,
		"stock_event": account.ReadReadiness, "issue": account.ReadIssues,
	}
	want := []string{"visit", "observation", "readiness_check", "stock_event", "issue"}
	if asked != "" {
		want = nil
		for _, t := range strings.Split(asked, ",") {
			t = strings.TrimSpace(t)
			if _, ok := readable[t]; !ok {
				return nil, mesh.Invalid(mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "types",
					Message: "types lists place, health_worker, visit, observation, readiness_check, stock_event or issue, comma-separated"})
			}
			want = append(want, t)
		}
	}
	out := []string{}
	for _, t := range want {
		if account.Can(u, readable[t]) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *Server) loadChange(r *http.Request, e sqlstore.Change) (Change, error) {
	switch e.Type {
	case "place":
		id, err := strconv.ParseInt(e.ID, 10, 64)
		if err != nil {
			return Change{}, err
		}
		o, err := s.Store.FindOrgUnitByID(ctx(r), id)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: o.Version, Data: o}, nil
	case "health_worker":
		id, err := strconv.ParseInt(e.ID, 10, 64)
		if err != nil {
			return Change{}, err
		}
		h, err := s.Store.FindHealthWorkerByID(ctx(r), id)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: h.Version, Data: h}, nil
	case "visit":
		v, err := s.Store.FindVisitByID(ctx(r), e.ID)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: v.Version, Data: v}, nil
	case "readiness_check":
		c, err := s.Store.FindCheckByID(ctx(r), e.ID)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: c.Version, Data: c}, nil
	case "stock_event":
		x, err := s.Store.FindStockEventByID(ctx(r), e.ID)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: x.Version, Data: x}, nil
	case "issue":
		i, err := s.Store.FindIssueByID(ctx(r), e.ID)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: i.Version, Data: i}, nil
	default:
		o, err := s.Store.FindObservationByID(ctx(r), e.ID)
		if err != nil {
			return Change{}, err
		}
		return Change{Type: e.Type, ID: e.ID, Version: o.Version, Deleted: o.Voided, Data: o}, nil
	}
}
