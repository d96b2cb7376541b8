// Package audit holds the audit trail: every write in MESH records who did it, when,
// to which record, and what changed. Stores write entries in the same transaction as
// the change, so there is never a change without its entry.
package audit

import (
	"context"
	"encoding/json"
	"time"
)

// Entry is one recorded write.
type Entry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	ActorID  *int64          `json:"actor_id"`
	Actor    string          `json:"actor"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Action   string          `json:"action"` // create, update, delete, login…
	Changes  json.RawMessage `json:"changes"`
}

// Filter selects entries, newest first.
type Filter struct {
	Entity   string
	EntityID string
	ActorID  *int64
	Limit    int
	Offset   int
}

// Store reads the trail.
type Store interface {
	FindAuditEntries(ctx context.Context, f Filter) ([]*Entry, int, error)
}

// Diff returns {field: [old, new]} for the fields that differ between two flat maps,
// so an update's entry shows exactly what changed.
func Diff(before, after map[string]any) map[string][2]any {
	out := map[string][2]any{}
	for k, a := range after {
		b := before[k]
		if !equalJSON(a, b) {
			out[k] = [2]any{b, a}
		}
	}
	return out
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
