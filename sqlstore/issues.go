package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"mesh"
	"mesh/readiness"
)

const issueSelect = `SELECT i.id, i.facility_id, COALESCE(i.visit_id, ''), i.category, i.description, i.owner, i.due_on, i.status,
	i.opened_on, i.resolved_on, i.history, i.content_hash, i.version, i.created_at, i.updated_at, o.path, o.time_zone
	FROM issues i JOIN orgunits o ON o.id = i.facility_id`

func scanIssue(r rowScanner) (*readiness.Issue, string, string, error) {
	var i readiness.Issue
	var history, hash, zone string
	err := r.Scan(&i.ID, &i.FacilityID, &i.VisitID, &i.Category, &i.Description, &i.Owner, &i.DueOn, &i.Status,
		&i.OpenedOn, &i.ResolvedOn, &history, &hash, &i.Version, &i.CreatedAt, &i.UpdatedAt, &i.FacilityPath, &zone)
	if err != nil {
		return nil, "", "", driverError(err)
	}
	if err := json.Unmarshal([]byte(history), &i.History); err != nil {
		return nil, "", "", fmt.Errorf("stored issue %s: %w", i.ID, err)
	}
	i.Comments = []readiness.Comment{}
	return &i, hash, zone, nil
}

// PutIssue stores a system issue idempotently (see readiness.Store). The status
// history is the server's: each change of status is recorded with the facility's
// calendar day, the time and who made it.
func (db *DB) PutIssue(ctx context.Context, i *readiness.Issue, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		i.Normalize()
		if err := i.Validate(); err != nil {
			return err
		}
		f, err := tx.facilityField(i.FacilityID, "facility_id")
		if err != nil {
			return err
		}
		if i.VisitID != "" {
			if err := tx.checkVisitAt(i.VisitID, i.FacilityID); err != nil {
				return err
			}
		}
		i.FacilityPath = f.Path
		hash := i.ContentHash()
		by, today := mesh.ActorFrom(ctx).Username, readiness.Today(tx.now, f.TimeZone)
		status := i.Status
		i.History, i.Comments, i.ResolvedOn = nil, []readiness.Comment{}, ""
		// A new issue's history starts on the day it was found, which an offline device
		// may send days later.
		first := i.OpenedOn
		if status != "open" {
			i.SetStatus("open", first, tx.now, by)
			first = today
		}
		i.SetStatus(status, first, tx.now, by)
		history, _ := json.Marshal(i.History)
		res, err := tx.exec(`INSERT INTO issues (id, facility_id, visit_id, category, description, owner, due_on, status, opened_on, resolved_on,
			history, content_hash, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			i.ID, i.FacilityID, nullString(i.VisitID), i.Category, i.Description, i.Owner, i.DueOn, i.Status, i.OpenedOn, i.ResolvedOn,
			string(history), hash, nullID(mesh.ActorFrom(ctx).UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, i.Version, i.CreatedAt, i.UpdatedAt = true, 1, tx.now, tx.now
			if err := tx.recordChange("issue", i.ID, i.FacilityPath); err != nil {
				return err
			}
			return tx.audit("issue", i.ID, "create", asMap(i))
		}
		old, oldHash, _, err := scanIssue(tx.queryRow(issueSelect+` WHERE i.id = ?`+tx.lockSuffix("i"), i.ID))
		if err != nil {
			return err
		}
		if err := tx.loadComments(old); err != nil {
			return err
		}
		if oldHash == hash {
			*i = *old
			i.Unchanged = true
			return nil
		}
		if expectedVersion == nil || *expectedVersion != old.Version {
			return conflict("issue", i.ID, old.Version)
		}
		i.History, i.ResolvedOn, i.Comments = old.History, old.ResolvedOn, old.Comments
		i.SetStatus(status, today, tx.now, by)
		history, _ = json.Marshal(i.History)
		i.Version, i.CreatedAt, i.UpdatedAt = old.Version+1, old.CreatedAt, tx.now
		if _, err := tx.exec(`UPDATE issues SET facility_id = ?, visit_id = ?, category = ?, description = ?, owner = ?, due_on = ?, status = ?,
			opened_on = ?, resolved_on = ?, history = ?, content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
			i.FacilityID, nullString(i.VisitID), i.Category, i.Description, i.Owner, i.DueOn, i.Status, i.OpenedOn, i.ResolvedOn,
			string(history), hash, i.Version, tx.now, i.ID); err != nil {
			return err
		}
		if err := tx.recordChange("issue", i.ID, i.FacilityPath); err != nil {
			return err
		}
		return tx.audit("issue", i.ID, "update", auditDiff(old, i))
	})
	return created, err
}

func (tx *Tx) loadComments(i *readiness.Issue) error {
	rows, err := tx.query(`SELECT id, issue_id, text, author, at FROM issue_comments WHERE issue_id = ? ORDER BY at, id`, i.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanComments(rows, i)
}

func scanComments(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, i *readiness.Issue) error {
	i.Comments = []readiness.Comment{}
	for rows.Next() {
		var c readiness.Comment
		if err := rows.Scan(&c.ID, &c.IssueID, &c.Text, &c.By, &c.At); err != nil {
			return driverError(err)
		}
		i.Comments = append(i.Comments, c)
	}
	return driverError(rows.Err())
}

// FindIssueByID returns one issue with its history and comments.
func (db *DB) FindIssueByID(ctx context.Context, id string) (*readiness.Issue, error) {
	i, _, _, err := scanIssue(db.readRow(ctx, issueSelect+` WHERE i.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "issue %s not found", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := db.readQuery(ctx, `SELECT id, issue_id, text, author, at FROM issue_comments WHERE issue_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return i, scanComments(rows, i)
}

// FindIssues returns issues matching f, oldest first (the longest-waiting on top),
// without their comments.
func (db *DB) FindIssues(ctx context.Context, f readiness.IssueFilter) ([]*readiness.Issue, int, error) {
	var w where
	if f.FacilityID != nil {
		w.add("i.facility_id = ?", *f.FacilityID)
	}
	if f.VisitID != "" {
		w.add("i.visit_id = ?", f.VisitID)
	}
	if f.Status == "unresolved" {
		w.add("i.status <> ?", "resolved")
	} else if f.Status != "" {
		w.add("i.status = ?", f.Status)
	}
	if f.Category != "" {
		w.add("i.category = ?", f.Category)
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM issues i JOIN orgunits o ON o.id = i.facility_id`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, issueSelect+w.String()+` ORDER BY i.opened_on, i.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*readiness.Issue
	for rows.Next() {
		i, _, _, err := scanIssue(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, i)
	}
	return out, total, driverError(rows.Err())
}

// IssueStats summarises the issues under the paths, each counted to today in its
// facility's time zone: open counts and median days open (readiness.Stats).
func (db *DB) IssueStats(ctx context.Context, under []string) (readiness.IssueStats, error) {
	issues, today, err := db.issuesWithZones(ctx, under)
	if err != nil {
		return readiness.IssueStats{}, err
	}
	return readiness.Stats(issues, func(i *readiness.Issue) mesh.Date { return today[i.ID] }), nil
}

// issuesWithZones loads every issue under the paths and each one's "today" in its
// facility's time zone.
func (db *DB) issuesWithZones(ctx context.Context, under []string) ([]*readiness.Issue, map[string]mesh.Date, error) {
	var w where
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, issueSelect+w.String()+` ORDER BY i.id`, w.args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []*readiness.Issue
	today := map[string]mesh.Date{}
	now := db.Now()
	for rows.Next() {
		i, _, zone, err := scanIssue(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, i)
		today[i.ID] = readiness.Today(now, zone)
	}
	return out, today, driverError(rows.Err())
}

// AddIssueComment adds a comment to an issue (idempotent on the comment's id) and
// returns the issue with every comment.
func (db *DB) AddIssueComment(ctx context.Context, c *readiness.Comment) (*readiness.Issue, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		var path string
		if err := tx.queryRow(`SELECT o.path FROM issues i JOIN orgunits o ON o.id = i.facility_id WHERE i.id = ?`, c.IssueID).Scan(&path); err != nil {
			if mesh.ErrorCode(driverError(err)) == mesh.ENOTFOUND {
				return mesh.Errorf(mesh.ENOTFOUND, "issue %s not found", c.IssueID)
			}
			return driverError(err)
		}
		actor := mesh.ActorFrom(ctx)
		c.By, c.At = actor.Username, tx.now
		res, err := tx.exec(`INSERT INTO issue_comments (id, issue_id, text, author_id, author, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			c.ID, c.IssueID, c.Text, nullID(actor.UserID), c.By, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var issueID, text string
			if err := tx.queryRow(`SELECT issue_id, text FROM issue_comments WHERE id = ?`, c.ID).Scan(&issueID, &text); err != nil {
				return driverError(err)
			}
			if issueID != c.IssueID || text != c.Text {
				return mesh.Errorf(mesh.ECONFLICT, "a different comment is stored under id %s", c.ID)
			}
			return nil
		}
		// The issue appears again in the change log so devices get the comment.
		if err := tx.recordChange("issue", c.IssueID, path); err != nil {
			return err
		}
		return tx.audit("issue", c.IssueID, "comment", map[string]any{"comment_id": c.ID, "text": c.Text})
	})
	if err != nil {
		return nil, err
	}
	return db.FindIssueByID(ctx, c.IssueID)
}
