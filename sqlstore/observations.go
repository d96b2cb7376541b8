package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"mesh"
	"mesh/export"
	"mesh/indicator"
	"mesh/observation"
)

const observationSelect = `SELECT ob.id, ob.body, ob.expected, ob.score, ob.indicators, ob.facility_id, ob.month, ob.content_hash,
	ob.voided, ob.version, ob.created_at, ob.updated_at, o.path
	FROM observations ob JOIN orgunits o ON o.id = ob.facility_id`

func scanObservation(r rowScanner) (*observation.Record, error) {
	var rec observation.Record
	var body, expected, score, inds string
	err := r.Scan(&rec.ID, &body, &expected, &score, &inds, &rec.FacilityID, &rec.Month, &rec.ContentHash,
		&rec.Voided, &rec.Version, &rec.CreatedAt, &rec.UpdatedAt, &rec.FacilityPath)
	if err != nil {
		return nil, driverError(err)
	}
	id := rec.ID
	if err := json.Unmarshal([]byte(body), &rec.Observation); err != nil {
		return nil, fmt.Errorf("stored observation %s: %w", id, err)
	}
	rec.ID = id
	rec.Expected = json.RawMessage(expected)
	if err := json.Unmarshal([]byte(score), &rec.Score); err != nil {
		return nil, fmt.Errorf("stored score %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(inds), &rec.Indicators); err != nil {
		return nil, fmt.Errorf("stored indicators %s: %w", id, err)
	}
	return &rec, nil
}

func contributions(vs []observation.IndicatorValue) []indicator.Contribution {
	out := make([]indicator.Contribution, len(vs))
	for i, v := range vs {
		out[i] = indicator.Contribution{ID: v.ID, Num: v.Num, Den: v.Den}
	}
	return out
}

// PutObservation stores a scored observation idempotently and keeps the facility-month
// counts in step in the same transaction (see observation.Store).
func (db *DB) PutObservation(ctx context.Context, r *observation.Record, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		body, expected, score, inds, err := observationJSON(r)
		if err != nil {
			return err
		}
		actor := mesh.ActorFrom(ctx)
		res, err := tx.exec(`INSERT INTO observations (id, visit_id, health_worker_id, facility_id, observed_at, month, age_group, protocol,
			body, expected, score, engine_version, scoring_version, assessment_index, classification_correct, treatment_correct,
			counselling_complete, correctly_managed, indicators, content_hash, voided, version, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.VisitID, r.HealthWorkerID, r.FacilityID, r.ObservedAt.UTC(), r.Month, r.Score.AgeGroup, r.Protocol,
			body, expected, score, r.Score.EngineVersion, r.Score.ScoringVersion, r.Score.AssessmentIndex, r.Score.ClassificationCorrect,
			r.Score.TreatmentCorrect, r.Score.CounsellingComplete, r.Score.CorrectlyManaged, inds, r.ContentHash, false, nullID(actor.UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, r.Version, r.CreatedAt, r.UpdatedAt = true, 1, tx.now, tx.now
			if err := tx.addCounts(r.FacilityID, r.Month, contributions(r.Indicators), 1); err != nil {
				return err
			}
			if err := tx.putObservationRow(r, body, score); err != nil {
				return err
			}
			if err := tx.recordFirstChange("observation", r.ID, r.FacilityPath); err != nil {
				return err
			}
			// No score in the audit trail: the administrators who read it may not see a
			// named worker's results (observation.md §5).
			return tx.audit("observation", r.ID, "create", createAudit{VisitID: r.VisitID, HealthWorkerID: r.HealthWorkerID,
				ScoringVersion: r.Score.ScoringVersion})
		}
		return tx.updateObservation(r, expectedVersion, body, expected, score, inds)
	})
	return created, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func observationJSON(r *observation.Record) (body, expected, score, inds string, err error) {
	b, s := r.BodyJSON, r.ScoreJSON // made once by observation.Build, also for the answer
	if b == nil {
		if b, err = json.Marshal(r.Observation); err != nil {
			return
		}
	}
	if s == nil {
		if s, err = json.Marshal(r.Score); err != nil {
			return
		}
	}
	i, err := json.Marshal(r.Indicators)
	return string(b), string(r.Expected), string(s), string(i), err
}

// createAudit is the audit entry of a new observation; a struct with its keys in
// sorted order writes the same JSON as the map it replaces, without sorting a map.
type createAudit struct {
	HealthWorkerID int64  `json:"health_worker_id"`
	ScoringVersion string `json:"scoring_version"`
	VisitID        string `json:"visit_id"`
}

// FindPlacement reads the visit's facility, the worker and any observation already
// stored under id in one query (see observation.Store). A worker without a posting
// counts as not found, as FindHealthWorkerByID has it.
func (db *DB) FindPlacement(ctx context.Context, id, visitID string, workerID int64) (observation.Placement, error) {
	var p observation.Placement
	var worker, posted int64
	var stored sql.NullString
	err := db.readRow(ctx, `SELECT v.facility_id, o.path, o.time_zone,
		(SELECT count(*) FROM health_workers hw WHERE hw.id = ? AND EXISTS (SELECT 1 FROM postings p WHERE p.health_worker_id = hw.id)),
		(SELECT hw.imci_trained_on FROM health_workers hw WHERE hw.id = ?),
		(SELECT count(*) FROM postings p WHERE p.health_worker_id = ? AND p.facility_id = v.facility_id),
		(SELECT so.path FROM observations ob JOIN orgunits so ON so.id = ob.facility_id WHERE ob.id = ?)
		FROM visits v JOIN orgunits o ON o.id = v.facility_id WHERE v.id = ?`,
		workerID, workerID, workerID, id, visitID).Scan(&p.Place.FacilityID, &p.Place.FacilityPath, &p.Place.TimeZone,
		&worker, &p.TrainedOn, &posted, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return p, driverError(err)
	}
	p.VisitFound, p.WorkerFound, p.WorkerPosted, p.StoredPath = true, worker > 0, posted > 0, stored.String
	return p, nil
}

// updateObservation handles a PUT of an existing id: the same content is a no-op, a
// changed one needs the current version; counts move from the old to the new score.
func (tx *Tx) updateObservation(r *observation.Record, expectedVersion *int, body, expected, score, inds string) error {
	lock := ""
	if tx.db.Dialect == Postgres {
		lock = " FOR UPDATE OF ob"
	}
	old, err := scanObservation(tx.queryRow(observationSelect+` WHERE ob.id = ?`+lock, r.ID))
	if err != nil {
		return err
	}
	if old.ContentHash == r.ContentHash && !old.Voided {
		*r = *old
		r.Unchanged = true
		return nil
	}
	if expectedVersion == nil || *expectedVersion != old.Version {
		return mesh.Errorf(mesh.ECONFLICT, "a different observation is stored under id %s (version %d): send the current version to change it", r.ID, old.Version)
	}
	if !old.Voided {
		if err := tx.addCounts(old.FacilityID, old.Month, contributions(old.Indicators), -1); err != nil {
			return err
		}
	}
	r.Version, r.CreatedAt, r.UpdatedAt = old.Version+1, old.CreatedAt, tx.now
	if _, err := tx.exec(`UPDATE observations SET visit_id = ?, health_worker_id = ?, facility_id = ?, observed_at = ?, month = ?, age_group = ?,
		protocol = ?, body = ?, expected = ?, score = ?, engine_version = ?, scoring_version = ?, assessment_index = ?, classification_correct = ?,
		treatment_correct = ?, counselling_complete = ?, correctly_managed = ?, indicators = ?, content_hash = ?, voided = ?, version = ?, updated_at = ?
		WHERE id = ?`,
		r.VisitID, r.HealthWorkerID, r.FacilityID, r.ObservedAt.UTC(), r.Month, r.Score.AgeGroup, r.Protocol, body, expected, score,
		r.Score.EngineVersion, r.Score.ScoringVersion, r.Score.AssessmentIndex, r.Score.ClassificationCorrect, r.Score.TreatmentCorrect,
		r.Score.CounsellingComplete, r.Score.CorrectlyManaged, inds, r.ContentHash, false, r.Version, tx.now, r.ID); err != nil {
		return err
	}
	if err := tx.addCounts(r.FacilityID, r.Month, contributions(r.Indicators), 1); err != nil {
		return err
	}
	if err := tx.putObservationRow(r, body, score); err != nil {
		return err
	}
	if err := tx.recordChange("observation", r.ID, r.FacilityPath); err != nil {
		return err
	}
	return tx.audit("observation", r.ID, "update", map[string]any{"version": [2]int{old.Version, r.Version}})
}

// putObservationRow writes r's export row (observation_rows): its cells formatted
// now, once, rather than at every export. Saves, edits and re-scores write it; a void
// deletes it, since exports leave voided observations out.
func (tx *Tx) putObservationRow(r *observation.Record, body, score string) error {
	cells, err := export.ObservationCells(export.StoredObservation{ID: r.ID, ObservedAt: r.ObservedAt, Month: r.Month,
		FacilityID: r.FacilityID, VisitID: r.VisitID, HealthWorkerID: r.HealthWorkerID, Protocol: r.Protocol,
		Version: r.Version, UpdatedAt: r.UpdatedAt, Body: []byte(body), Score: []byte(score)})
	if err != nil {
		return err
	}
	_, err = tx.exec(`INSERT INTO observation_rows (id, observed_at, month, facility_id, cells) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET observed_at = excluded.observed_at, month = excluded.month,
		facility_id = excluded.facility_id, cells = excluded.cells`,
		r.ID, r.ObservedAt.UTC(), r.Month, r.FacilityID, string(cells))
	return err
}

// FindObservationByID returns one stored observation (voided ones too).
func (db *DB) FindObservationByID(ctx context.Context, id string) (*observation.Record, error) {
	r, err := scanObservation(db.readRow(ctx, observationSelect+` WHERE ob.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "observation %s not found", id)
	}
	return r, err
}

// FindObservations returns observations matching f, oldest first (the order a
// worker's progress is read in).
func (db *DB) FindObservations(ctx context.Context, f observation.Filter) ([]*observation.Record, int, error) {
	var w where
	if f.ID != nil {
		w.add("ob.id = ?", *f.ID)
	}
	if f.VisitID != nil {
		w.add("ob.visit_id = ?", *f.VisitID)
	}
	if f.HealthWorkerID != nil {
		w.add("ob.health_worker_id = ?", *f.HealthWorkerID)
	}
	if f.FacilityID != nil {
		w.add("ob.facility_id = ?", *f.FacilityID)
	}
	if !f.IncludeVoided {
		w.add("ob.voided = ?", false)
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM observations ob JOIN orgunits o ON o.id = ob.facility_id`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, observationSelect+w.String()+` ORDER BY ob.observed_at, ob.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*observation.Record
	for rows.Next() {
		r, err := scanObservation(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, driverError(rows.Err())
}

// VoidObservation takes an observation out of every count; the record stays for audit.
func (db *DB) VoidObservation(ctx context.Context, id string) (*observation.Record, error) {
	var out *observation.Record
	err := db.inTx(ctx, func(tx *Tx) error {
		r, err := scanObservation(tx.queryRow(observationSelect+` WHERE ob.id = ?`, id))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			return mesh.Errorf(mesh.ENOTFOUND, "observation %s not found", id)
		} else if err != nil {
			return err
		}
		out = r
		if r.Voided {
			return nil
		}
		if err := tx.addCounts(r.FacilityID, r.Month, contributions(r.Indicators), -1); err != nil {
			return err
		}
		r.Voided, r.Version, r.UpdatedAt = true, r.Version+1, tx.now
		if _, err := tx.exec(`UPDATE observations SET voided = ?, version = ?, updated_at = ? WHERE id = ?`, true, r.Version, tx.now, id); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM observation_rows WHERE id = ?`, id); err != nil {
			return err
		}
		if err := tx.recordChange("observation", id, r.FacilityPath); err != nil {
			return err
		}
		return tx.audit("observation", id, "void", map[string]any{"voided": [2]bool{false, true}})
	})
	return out, err
}

// RescoreObservation replaces the expected result and score of a stored observation
// and moves its counts, keeping the versions each score was made with in the score.
func (db *DB) RescoreObservation(ctx context.Context, id string, expected json.RawMessage, s observation.Score, ind []observation.IndicatorValue) error {
	return db.inTx(ctx, func(tx *Tx) error {
		r, err := scanObservation(tx.queryRow(observationSelect+` WHERE ob.id = ?`, id))
		if err != nil {
			return err
		}
		if !r.Voided {
			if err := tx.addCounts(r.FacilityID, r.Month, contributions(r.Indicators), -1); err != nil {
				return err
			}
			if err := tx.addCounts(r.FacilityID, r.Month, contributions(ind), 1); err != nil {
				return err
			}
		}
		if err := tx.recordChange("observation", id, r.FacilityPath); err != nil {
			return err
		}
		score, _ := json.Marshal(s)
		inds, _ := json.Marshal(ind)
		if _, err := tx.exec(`UPDATE observations SET expected = ?, score = ?, indicators = ?, engine_version = ?, scoring_version = ?,
			assessment_index = ?, classification_correct = ?, treatment_correct = ?, counselling_complete = ?, correctly_managed = ?, updated_at = ? WHERE id = ?`,
			string(expected), string(score), string(inds), s.EngineVersion, s.ScoringVersion, s.AssessmentIndex, s.ClassificationCorrect,
			s.TreatmentCorrect, s.CounsellingComplete, s.CorrectlyManaged, tx.now, id); err != nil {
			return err
		}
		if !r.Voided {
			r.Score, r.UpdatedAt = s, tx.now
			body, err := json.Marshal(r.Observation)
			if err != nil {
				return err
			}
			if err := tx.putObservationRow(r, string(body), string(score)); err != nil {
				return err
			}
		}
		return tx.audit("observation", id, "rescore", map[string]any{"scoring_version": [2]string{r.Score.ScoringVersion, s.ScoringVersion},
			"engine_version": [2]string{r.Score.EngineVersion, s.EngineVersion}})
	})
}

// RecountIndicators recomputes the facility-month counts from the stored observations
// and returns them keyed "facility|month|indicator" (for the recount tests and the
// full-recompute job).
func (db *DB) RecountIndicators(ctx context.Context) (map[string][2]float64, error) {
	out := map[string][2]float64{}
	var last string
	for {
		rows, err := db.readQuery(ctx, `SELECT id, facility_id, month, indicators FROM observations WHERE voided = ? AND id > ? ORDER BY id LIMIT 1000`, false, last)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			var id, month, inds string
			var fac int64
			if err := rows.Scan(&id, &fac, &month, &inds); err != nil {
				rows.Close()
				return nil, driverError(err)
			}
			var vs []observation.IndicatorValue
			json.Unmarshal([]byte(inds), &vs)
			for _, v := range vs {
				if v.Num == 0 && v.Den == 0 {
					continue
				}
				k := fmt.Sprintf("%d|%s|%s", fac, month, v.ID)
				c := out[k]
				out[k] = [2]float64{c[0] + v.Num, c[1] + v.Den}
			}
			last, n = id, n+1
		}
		rows.Close()
		if n < 1000 {
			return out, db.recountFacilitySystems(ctx, out)
		}
	}
}

// StoredCounts returns the counts table keyed like RecountIndicators, without zero rows.
func (db *DB) StoredCounts(ctx context.Context) (map[string][2]float64, error) {
	rows, err := db.readQuery(ctx, `SELECT facility_id, month, indicator, num, den FROM indicator_counts`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][2]float64{}
	for rows.Next() {
		var fac int64
		var month, ind string
		var num, den float64
		if err := rows.Scan(&fac, &month, &ind, &num, &den); err != nil {
			return nil, driverError(err)
		}
		if num != 0 || den != 0 {
			out[fmt.Sprintf("%d|%s|%s", fac, month, ind)] = [2]float64{num, den}
		}
	}
	return out, driverError(rows.Err())
}
