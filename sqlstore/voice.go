package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"mesh"
	"mesh/indicator"
	"mesh/voice"
)

// The mentee's voice. Responses are written without an audit entry and without a
// change-log row: both record who acted and when, which is exactly what anonymous
// feedback must not keep. Everything else here (settings, sources, codes, passages)
// is audited like any other record.

// rwanda is the programme's clock for a response's month; Rwanda keeps no summer time.
var rwanda = time.FixedZone("CAT", 2*3600)

// VoiceConfig returns the stored configuration, or voice.DefaultConfig (version 0).
func (db *DB) VoiceConfig(ctx context.Context) (*voice.Config, error) {
	return scanVoiceConfig(db.readRow(ctx, `SELECT min_group, items, version FROM voice_settings WHERE id = 1`))
}

func scanVoiceConfig(r rowScanner) (*voice.Config, error) {
	var c voice.Config
	var items string
	err := r.Scan(&c.MinGroup, &items, &c.Version)
	if mesh.ErrorCode(driverError(err)) == mesh.ENOTFOUND {
		return voice.DefaultConfig(), nil
	}
	if err != nil {
		return nil, driverError(err)
	}
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return nil, err
	}
	return &c, nil
}

// PutVoiceConfig replaces the configuration; c.Version must be the stored version.
func (db *DB) PutVoiceConfig(ctx context.Context, c *voice.Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		old, err := scanVoiceConfig(tx.queryRow(`SELECT min_group, items, version FROM voice_settings WHERE id = 1`))
		if err != nil {
			return err
		}
		if err := checkVersion("the feedback settings", &c.Version, old.Version); err != nil {
			return err
		}
		items, _ := json.Marshal(c.Items)
		c.Version = old.Version + 1
		if _, err := tx.exec(`INSERT INTO voice_settings (id, min_group, items, version, updated_at) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET min_group = excluded.min_group, items = excluded.items, version = excluded.version, updated_at = excluded.updated_at`,
			c.MinGroup, string(items), c.Version, tx.now); err != nil {
			return err
		}
		return tx.audit("voice_settings", 1, "update", asMap(c))
	})
}

const codeSelect = `SELECT c.code, c.visit_id, c.responses, v.facility_id, o.name, o.path, v.mentor_id
	FROM voice_codes c JOIN visits v ON v.id = c.visit_id JOIN orgunits o ON o.id = v.facility_id`

func scanCode(r rowScanner) (*voice.Code, error) {
	var c voice.Code
	if err := r.Scan(&c.Code, &c.VisitID, &c.Responses, &c.FacilityID, &c.FacilityName, &c.FacilityPath, &c.MentorID); err != nil {
		return nil, driverError(err)
	}
	c.Limit = voice.MaxPerVisit
	return &c, nil
}

// FeedbackCode returns a visit's code, creating it when asked (see voice.Store).
func (db *DB) FeedbackCode(ctx context.Context, visitID string, create bool) (*voice.Code, error) {
	if !create {
		c, err := scanCode(db.readRow(ctx, codeSelect+` WHERE c.visit_id = ?`, visitID))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			return nil, mesh.Errorf(mesh.ENOTFOUND, "visit %s has no feedback code yet", visitID)
		}
		return c, err
	}
	var out *voice.Code
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.feedbackCode(visitID, true)
		return err
	})
	return out, err
}

// feedbackCode gets or makes the visit's code inside a transaction, auditing the
// making only when asked.
func (tx *Tx) feedbackCode(visitID string, audited bool) (*voice.Code, error) {
	c, err := scanCode(tx.queryRow(codeSelect+` WHERE c.visit_id = ?`, visitID))
	if mesh.ErrorCode(err) != mesh.ENOTFOUND {
		return c, err
	}
	var status string
	if err := tx.queryRow(`SELECT status FROM visits WHERE id = ?`, visitID).Scan(&status); err != nil {
		if mesh.ErrorCode(driverError(err)) == mesh.ENOTFOUND {
			return nil, mesh.Errorf(mesh.ENOTFOUND, "visit %s not found", visitID)
		}
		return nil, driverError(err)
	}
	if status == "cancelled" {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_STATE", Field: "visit_id", Message: "a cancelled visit takes no feedback"})
	}
	random := make([]byte, voice.CodeLength)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	code := voice.NewCode(random)
	if _, err := tx.exec(`INSERT INTO voice_codes (code, visit_id, responses, created_at) VALUES (?, ?, 0, ?)`, code, visitID, tx.now); err != nil {
		return nil, err // a clash of random codes is astronomically rare; the caller may retry
	}
	if audited {
		if err := tx.audit("voice_code", visitID, "create", map[string]any{"visit_id": visitID}); err != nil {
			return nil, err
		}
	}
	return scanCode(tx.queryRow(codeSelect+` WHERE c.visit_id = ?`, visitID))
}

// FindFeedbackCode looks a code up (ENOTFOUND for an unknown one).
func (db *DB) FindFeedbackCode(ctx context.Context, code string) (*voice.Code, error) {
	c, err := scanCode(db.readRow(ctx, codeSelect+` WHERE c.code = ?`, voice.NormalizeCode(code)))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no such feedback code")
	}
	return c, err
}

// hashID keys a response by a hash of the client's UUID: retries are recognised, and
// the UUID's own timestamp (v7) is not kept.
func hashID(id string) string {
	sum := sha256.Sum256([]byte("mesh-voice:" + id))
	return hex.EncodeToString(sum[:])
}

// PutResponse stores an anonymous answer (see voice.Store).
func (db *DB) PutResponse(ctx context.Context, r *voice.Response) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		cfg, err := scanVoiceConfig(tx.queryRow(`SELECT min_group, items, version FROM voice_settings WHERE id = 1`))
		if err != nil {
			return err
		}
		r.Normalize()
		if err := r.Validate(cfg); err != nil {
			return err
		}
		key := hashID(r.ID)
		var n int
		if err := tx.queryRow(`SELECT count(*) FROM voice_responses WHERE id_hash = ?`, key).Scan(&n); err != nil {
			return driverError(err)
		}
		if n > 0 {
			return nil // an outbox retry of an answer already kept
		}
		// Made here without an audit entry: one dated to this instant under the
		// caller's name would say who answered.
		code, err := tx.feedbackCode(r.VisitID, false)
		if err != nil {
			if mesh.ErrorCode(err) == mesh.ENOTFOUND {
				return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "visit_id", Message: "visit_id must name a visit"})
			}
			return err
		}
		if r.Code != "" && r.Code != code.Code {
			return mesh.Errorf(mesh.ENOTFOUND, "no such feedback code for this visit")
		}
		if code.Responses >= voice.MaxPerVisit {
			return mesh.Errorf(voice.ETOOMANY, "this visit has had %d answers, the most it takes", voice.MaxPerVisit)
		}
		var district *int64
		var d int64
		err = tx.queryRow(`SELECT id FROM orgunits WHERE type = 'district' AND ? LIKE path || '%' ORDER BY length(path) DESC LIMIT 1`, code.FacilityPath).Scan(&d)
		if err == nil {
			district = &d
		} else if mesh.ErrorCode(driverError(err)) != mesh.ENOTFOUND {
			return driverError(err)
		}
		r.FacilityID, r.MentorID, r.Month = code.FacilityID, code.MentorID, tx.now.In(rwanda).Format("2006-01")
		if district != nil {
			r.DistrictID = *district
		}
		ratings, _ := json.Marshal(r.Ratings)
		if _, err := tx.exec(`INSERT INTO voice_responses (id_hash, facility_id, district_id, mentor_id, month, ratings, comment, language)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, key, r.FacilityID, district, r.MentorID, r.Month, string(ratings), r.Comment, r.Language); err != nil {
			return err
		}
		created = true
		_, err = tx.exec(`UPDATE voice_codes SET responses = responses + 1 WHERE code = ?`, code.Code)
		return err
	})
	return created, err
}

// FindResponses returns the answers matching f, in no meaningful order.
func (db *DB) FindResponses(ctx context.Context, f voice.ResponseFilter) ([]voice.Response, error) {
	var w where
	if f.MentorID != nil {
		w.add("r.mentor_id = ?", *f.MentorID)
	}
	if f.From != "" {
		w.add("r.month >= ?", f.From)
	}
	if f.To != "" {
		w.add("r.month <= ?", f.To)
	}
	w.under("o.path", f.Under)
	rows, err := db.readQuery(ctx, `SELECT r.facility_id, COALESCE(r.district_id, 0), r.mentor_id, r.month, r.ratings, r.comment, r.language
		FROM voice_responses r JOIN orgunits o ON o.id = r.facility_id`+w.String()+` ORDER BY r.id_hash`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []voice.Response
	for rows.Next() {
		var r voice.Response
		var ratings string
		if err := rows.Scan(&r.FacilityID, &r.DistrictID, &r.MentorID, &r.Month, &ratings, &r.Comment, &r.Language); err != nil {
			return nil, driverError(err)
		}
		if err := json.Unmarshal([]byte(ratings), &r.Ratings); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, driverError(rows.Err())
}

// VoiceIndicatorCounts answers voice.<item> per month (see voice.Store). A month is
// left out (no value) when it is not over yet, when fewer than K answers rated the
// item in the area, or when the rest of a district the area lies in holds between 1
// and K−1 such answers: the district's value minus this one would show them.
func (db *DB) VoiceIndicatorCounts(ctx context.Context, id string, under []string, from, to string) ([]indicator.MonthCount, error) {
	key, ok := strings.CutPrefix(id, voice.IndicatorPrefix)
	if !ok {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no indicator %q", id)
	}
	cfg, err := db.VoiceConfig(ctx)
	if err != nil {
		return nil, err
	}
	current := db.Now().In(rwanda).Format("2006-01")
	var w where
	if from != "" {
		w.add("r.month >= ?", from)
	}
	w.add("r.month < ?", current)
	if to != "" {
		w.add("r.month <= ?", to)
	}
	rows, err := db.readQuery(ctx, `SELECT r.month, COALESCE(r.district_id, 0), o.path, r.ratings
		FROM voice_responses r JOIN orgunits o ON o.id = r.facility_id`+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var facts []voice.IndicatorFact
	for rows.Next() {
		var month, path, ratings string
		var district int64
		if err := rows.Scan(&month, &district, &path, &ratings); err != nil {
			return nil, driverError(err)
		}
		var rs map[string]int
		if err := json.Unmarshal([]byte(ratings), &rs); err != nil {
			return nil, err
		}
		if v, ok := rs[key]; ok {
			facts = append(facts, voice.IndicatorFact{Month: month, DistrictID: district, InArea: inArea(path, under), Rating: v})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, driverError(err)
	}
	var out []indicator.MonthCount
	for _, m := range voice.IndicatorMonths(facts, cfg.K()) {
		out = append(out, indicator.MonthCount{Month: m.Month, Num: m.Sum, Den: m.N})
	}
	return out, nil
}

func inArea(path string, under []string) bool {
	if under == nil {
		return true
	}
	for _, p := range under {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// FindThemes returns the codebook, themes before barriers.
func (db *DB) FindThemes(ctx context.Context) ([]*voice.Theme, error) {
	rows, err := db.readQuery(ctx, `SELECT id, code, name, kind, description FROM voice_themes ORDER BY kind DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*voice.Theme
	for rows.Next() {
		var t voice.Theme
		if err := rows.Scan(&t.ID, &t.Code, &t.Name, &t.Kind, &t.Description); err != nil {
			return nil, driverError(err)
		}
		out = append(out, &t)
	}
	return out, driverError(rows.Err())
}

// CreateTheme adds a theme to the codebook.
func (db *DB) CreateTheme(ctx context.Context, t *voice.Theme) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.insertID(`INSERT INTO voice_themes (code, name, kind, description, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.Code, t.Name, t.Kind, t.Description, tx.now)
		if err != nil {
			return err
		}
		t.ID = id
		return tx.audit("voice_theme", id, "create", asMap(t))
	})
}

const sourceSelect = `SELECT s.id, s.kind, s.title, s.body, s.orgunit_id, s.period, COALESCE(s.created_by, 0), s.created_at, o.name, o.path,
	(SELECT count(*) FROM voice_passages p WHERE p.source_id = s.id)
	FROM voice_sources s JOIN orgunits o ON o.id = s.orgunit_id`

func scanSource(r rowScanner) (*voice.Source, error) {
	var s voice.Source
	err := r.Scan(&s.ID, &s.Kind, &s.Title, &s.Body, &s.OrgUnitID, &s.Period, &s.CreatedBy, &s.CreatedAt, &s.OrgUnitName, &s.OrgUnitPath, &s.Passages)
	return &s, driverError(err)
}

// CreateSource stores notes to code; the creator is the caller (an evaluator).
func (db *DB) CreateSource(ctx context.Context, s *voice.Source) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		o, err := tx.orgUnit(s.OrgUnitID)
		if err != nil {
			return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "orgunit_id", Message: "orgunit_id must name a place"})
		}
		var by any
		if a := mesh.ActorFrom(tx.ctx); a.UserID != 0 {
			by, s.CreatedBy = a.UserID, a.UserID
		}
		id, err := tx.insertID(`INSERT INTO voice_sources (kind, title, body, orgunit_id, period, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.Kind, s.Title, s.Body, s.OrgUnitID, s.Period, by, tx.now)
		if err != nil {
			return err
		}
		s.ID, s.CreatedAt, s.OrgUnitName, s.OrgUnitPath = id, tx.now, o.Name, o.Path
		return tx.audit("voice_source", id, "create", map[string]any{"kind": s.Kind, "title": s.Title, "orgunit_id": s.OrgUnitID, "period": s.Period})
	})
}

// FindSources lists sources (newest period first) without their bodies' weight mattering.
func (db *DB) FindSources(ctx context.Context, f voice.SourceFilter) ([]*voice.Source, error) {
	var w where
	if f.Kind != "" {
		w.add("s.kind = ?", f.Kind)
	}
	w.under("o.path", f.Under)
	rows, err := db.readQuery(ctx, sourceSelect+w.String()+` ORDER BY s.period DESC, s.id DESC`+limitOffset(1000, 0), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*voice.Source
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, driverError(rows.Err())
}

// FindSourceByID returns one source.
func (db *DB) FindSourceByID(ctx context.Context, id int64) (*voice.Source, error) {
	s, err := scanSource(db.readRow(ctx, sourceSelect+` WHERE s.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "source %d not found", id)
	}
	return s, err
}

// CreatePassage tags a span of a source with a theme, as the calling coder.
func (db *DB) CreatePassage(ctx context.Context, p *voice.Passage) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var body string
		if err := tx.queryRow(`SELECT body FROM voice_sources WHERE id = ?`, p.SourceID).Scan(&body); err != nil {
			if mesh.ErrorCode(driverError(err)) == mesh.ENOTFOUND {
				return mesh.Errorf(mesh.ENOTFOUND, "source %d not found", p.SourceID)
			}
			return driverError(err)
		}
		if err := p.Locate(body); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(`SELECT count(*) FROM voice_themes WHERE id = ?`, p.ThemeID).Scan(&n); err != nil {
			return driverError(err)
		}
		if n == 0 {
			return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "theme_id", Message: "theme_id must name a theme of the codebook"})
		}
		p.CoderID = mesh.ActorFrom(tx.ctx).UserID
		if p.CoderID == 0 {
			return mesh.Errorf(mesh.EUNAUTHORIZED, "a passage needs a coder: log in first")
		}
		id, err := tx.insertID(`INSERT INTO voice_passages (source_id, theme_id, start_at, end_at, quote, coder_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.SourceID, p.ThemeID, p.Start, p.End, p.Quote, p.CoderID, tx.now)
		if err != nil {
			return err
		}
		p.ID, p.At = id, tx.now
		return tx.audit("voice_passage", id, "create", asMap(p))
	})
}

// DeletePassage removes a coded passage.
func (db *DB) DeletePassage(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.update("passage", `DELETE FROM voice_passages WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit("voice_passage", id, "delete", map[string]any{})
	})
}

// FindPassages lists coded passages in source order.
func (db *DB) FindPassages(ctx context.Context, f voice.PassageFilter) ([]voice.Passage, error) {
	var w where
	if f.SourceID != nil {
		w.add("p.source_id = ?", *f.SourceID)
	}
	if f.ThemeID != nil {
		w.add("p.theme_id = ?", *f.ThemeID)
	}
	if f.CoderID != nil {
		w.add("p.coder_id = ?", *f.CoderID)
	}
	w.under("o.path", f.Under)
	rows, err := db.readQuery(ctx, `SELECT p.id, p.source_id, p.theme_id, p.start_at, p.end_at, p.quote, p.coder_id, p.created_at
		FROM voice_passages p JOIN voice_sources s ON s.id = p.source_id JOIN orgunits o ON o.id = s.orgunit_id`+w.String()+
		` ORDER BY p.source_id, p.start_at, p.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []voice.Passage
	for rows.Next() {
		var p voice.Passage
		if err := rows.Scan(&p.ID, &p.SourceID, &p.ThemeID, &p.Start, &p.End, &p.Quote, &p.CoderID, &p.At); err != nil {
			return nil, driverError(err)
		}
		out = append(out, p)
	}
	return out, driverError(rows.Err())
}
