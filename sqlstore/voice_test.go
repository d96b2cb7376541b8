package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"mesh"
	"mesh/account"
	"mesh/audit"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/visit"
	"mesh/voice"
)

// personish are column names that could say who answered, or when to the minute.
var personish = regexp.MustCompile(`(?i)(worker|user|person|name|created_by|coder|actor|_at$|time|date|ip|device|session|visit|observation|id$)`)

// The responses table can hold nothing that leads to the person who answered: no
// worker, user, visit or moment. mentor_id (the mentor being rated) and the place
// columns are the only references, and each is checked by name.
func TestVoiceResponsesSchemaIsAnonymous(t *testing.T) {
	allowed := map[string]bool{"id_hash": true, "facility_id": true, "district_id": true, "mentor_id": true,
		"month": true, "ratings": true, "comment": true, "language": true}
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	cols := pragmaList(t, db, "SELECT name FROM pragma_table_info('voice_responses')")
	if len(cols) != len(allowed) {
		t.Fatalf("voice_responses columns %v, want exactly %v", cols, allowed)
	}
	for _, c := range cols {
		if !allowed[c] {
			t.Errorf("voice_responses has column %s", c)
		}
		if personish.MatchString(c) && c != "facility_id" && c != "district_id" && c != "mentor_id" {
			t.Errorf("column %s looks like it could identify someone", c)
		}
	}
	refs := pragmaList(t, db, "SELECT \"from\" || '>' || \"table\" FROM pragma_foreign_key_list('voice_responses') ORDER BY 1")
	if got := strings.Join(refs, ","); got != "district_id>orgunits,facility_id>orgunits,mentor_id>users" {
		t.Errorf("voice_responses references %s", got)
	}
	// The PostgreSQL migration declares the same columns (checked on its text, so the
	// rule holds where PostgreSQL is not available).
	pg, _ := sqlstore.Migrations(sqlstore.Postgres)
	for _, m := range pg {
		if m.Name != "mentee_voice" {
			continue
		}
		body := m.SQL[strings.Index(m.SQL, "CREATE TABLE voice_responses"):]
		body = body[:strings.Index(body, ");")]
		for _, line := range strings.Split(body, "\n")[1:] {
			if f := strings.Fields(line); len(f) > 0 && !allowed[f[0]] {
				t.Errorf("postgres voice_responses has column %s", f[0])
			}
		}
	}
}

func pragmaList(t *testing.T, db *sqlstore.DB, q string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", db.DSN) // the same file, read directly for its schema
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// voiceFixture is a facility with a done visit by a mentor.
func voiceFixture(t *testing.T, db *sqlstore.DB) (context.Context, *visit.Visit, int64, *account.User) {
	t.Helper()
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "tester"})
	_, district, facility := tree(t, db)
	hash, _ := account.HashPassword("correct horse battery")
	mentor := &account.User{Username: "mentor1", Role: account.Mentor, PasswordHash: hash}
	must(t, db.CreateUser(ctx, mentor))
	v := &visit.Visit{ID: "0190c1a2-0000-7000-8000-0000000000a1", FacilityID: facility.ID, MentorID: mentor.ID, Date: "2026-03-14"}
	_, err := db.PutVisit(ctx, v, nil)
	must(t, err)
	return ctx, v, district.ID, mentor
}

func answer(i int, visitID string, rating int) *voice.Response {
	return &voice.Response{ID: fmt.Sprintf("0190c1a2-0000-7000-8000-%012d", i), VisitID: visitID,
		Ratings: map[string]int{"listened": rating, "learned": rating}, Comment: "good", Language: "rw"}
}

func TestVoiceResponses(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, v, districtID, mentor := voiceFixture(t, db)
		db.Now = func() time.Time { return time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC) } // 1 April 01:30 in Kigali
		code, err := db.FeedbackCode(ctx, v.ID, true)
		must(t, err)
		if !voice.ValidCode(code.Code) || code.Limit != voice.MaxPerVisit {
			t.Fatalf("code %+v", code)
		}
		if again, _ := db.FeedbackCode(ctx, v.ID, true); again.Code != code.Code {
			t.Fatal("a second call made a second code")
		}
		if found, err := db.FindFeedbackCode(ctx, strings.ToLower(code.Code)); err != nil || found.VisitID != v.ID {
			t.Fatalf("find code: %+v %v", found, err)
		}
		wantCode(t, func() error { _, err := db.FindFeedbackCode(ctx, "ZZZZZZZZ"); return err }(), mesh.ENOTFOUND)

		// Answers from a logged-in user: the actor must leave no trace.
		userCtx := mesh.WithActor(context.Background(), mesh.Actor{UserID: mentor.ID, Username: "nurse"})
		r := answer(1, v.ID, 4)
		r.Code = code.Code
		created, err := db.PutResponse(userCtx, r)
		if err != nil || !created {
			t.Fatalf("put: %v %v", created, err)
		}
		if r.FacilityID != v.FacilityID || r.MentorID != mentor.ID || r.DistrictID != districtID || r.Month != "2026-04" {
			t.Fatalf("derived %+v", r)
		}
		if created, err := db.PutResponse(userCtx, answer(1, v.ID, 4)); err != nil || created {
			t.Fatalf("retry: %v %v", created, err)
		}
		bad := answer(2, v.ID, 4)
		bad.Code = "ABCDEFGH"
		wantCode(t, func() error { _, err := db.PutResponse(ctx, bad); return err }(), mesh.ENOTFOUND)
		wantCode(t, func() error {
			_, err := db.PutResponse(ctx, answer(3, "0190c1a2-0000-7000-8000-00000000ffff", 4))
			return err
		}(), mesh.EINVALID)
		entries, _, err := db.FindAuditEntries(ctx, audit.Filter{Limit: 1000})
		must(t, err)
		for _, e := range entries {
			if strings.HasPrefix(e.Entity, "voice_response") || strings.Contains(string(e.Changes), "good") || (e.ActorID != nil && *e.ActorID == mentor.ID) {
				t.Fatalf("an answer left an audit entry: %+v", e)
			}
		}
		// The cap: MaxPerVisit answers per visit, then ETOOMANY.
		for i := 10; i < 10+voice.MaxPerVisit-1; i++ {
			_, err := db.PutResponse(ctx, answer(i, v.ID, 5))
			must(t, err)
		}
		wantCode(t, func() error { _, err := db.PutResponse(ctx, answer(99, v.ID, 5)); return err }(), voice.ETOOMANY)

		got, err := db.FindResponses(ctx, voice.ResponseFilter{MentorID: &mentor.ID, From: "2026-04", To: "2026-04"})
		must(t, err)
		if len(got) != voice.MaxPerVisit || got[0].Language != "rw" || got[0].Ratings["listened"] == 0 {
			t.Fatalf("found %d: %+v", len(got), got[0])
		}
		if none, _ := db.FindResponses(ctx, voice.ResponseFilter{Under: []string{"/999/"}}); len(none) != 0 {
			t.Fatal("scope ignored")
		}

		// Indicators: April is not over on 1 April, so it has no value yet; in May it has.
		counts, err := db.VoiceIndicatorCounts(ctx, "voice.listened", nil, "2026-01", "2026-12")
		if err != nil || len(counts) != 0 {
			t.Fatalf("open month counted: %+v %v", counts, err)
		}
		db.Now = func() time.Time { return time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC) }
		counts, err = db.VoiceIndicatorCounts(ctx, "voice.listened", nil, "2026-01", "2026-12")
		if err != nil || len(counts) != 1 || counts[0].Den != 30 || counts[0].Num != 4+29*5 {
			t.Fatalf("counts %+v %v", counts, err)
		}
	})
}

func TestVoiceConfigAndCoding(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx, _, districtID, mentor := voiceFixture(t, db)
		c, err := db.VoiceConfig(ctx)
		must(t, err)
		if c.Version != 0 || c.K() != 5 || len(c.Items) != 5 {
			t.Fatalf("default config %+v", c)
		}
		c.MinGroup = 2
		wantCode(t, db.PutVoiceConfig(ctx, c), mesh.EINVALID)
		c.MinGroup, c.Items = 4, c.Items[:3]
		must(t, db.PutVoiceConfig(ctx, c))
		c.Version = 0
		wantCode(t, db.PutVoiceConfig(ctx, c), mesh.ECONFLICT)
		if got, _ := db.VoiceConfig(ctx); got.K() != 4 || len(got.Items) != 3 || got.Version != 1 {
			t.Fatalf("stored config %+v", got)
		}

		themes, err := db.FindThemes(ctx)
		must(t, err)
		codes := map[string]string{}
		for _, th := range themes {
			codes[th.Code] = th.Kind
		}
		for code, kind := range map[string]string{"collaborative_capacity_building": "theme", "active_listening": "theme", "supporting_not_policing": "theme",
			"systems_improvement": "theme", "real_time_feedback": "theme", "stock_outs": "barrier", "staff_turnover": "barrier", "infrastructure": "barrier"} {
			if codes[code] != kind {
				t.Errorf("codebook lacks %s (%s): %v", code, kind, codes)
			}
		}
		th := &voice.Theme{Code: "peer_learning", Name: "Peer learning"}
		must(t, db.CreateTheme(ctx, th))
		wantCode(t, db.CreateTheme(ctx, &voice.Theme{Code: "peer_learning", Name: "Again"}), mesh.ECONFLICT)

		coder := mesh.WithActor(context.Background(), mesh.Actor{UserID: mentor.ID, Username: "evaluator"})
		src := &voice.Source{Kind: "focus_group", Title: "FGD nurses", Body: "We felt heard.\r\nNo amoxicillin for weeks.", OrgUnitID: districtID, Period: "2026-03"}
		must(t, db.CreateSource(coder, src))
		wantCode(t, db.CreateSource(coder, &voice.Source{Kind: "chat"}), mesh.EINVALID)
		p := &voice.Passage{SourceID: src.ID, ThemeID: themes[0].ID, Quote: "No amoxicillin"}
		must(t, db.CreatePassage(coder, p))
		if p.Start != 15 || p.CoderID != mentor.ID {
			t.Fatalf("passage %+v", p)
		}
		wantCode(t, db.CreatePassage(coder, &voice.Passage{SourceID: src.ID, ThemeID: themes[0].ID, Quote: "absent"}), mesh.EINVALID)
		wantCode(t, db.CreatePassage(ctx, &voice.Passage{SourceID: src.ID, ThemeID: themes[0].ID, Quote: "heard"}), mesh.EUNAUTHORIZED)
		got, err := db.FindSourceByID(ctx, src.ID)
		if err != nil || got.Passages != 1 || got.OrgUnitName == "" || strings.Contains(got.Body, "\r") {
			t.Fatalf("source %+v %v", got, err)
		}
		ps, err := db.FindPassages(ctx, voice.PassageFilter{SourceID: &src.ID})
		if err != nil || len(ps) != 1 || ps[0].Quote != "No amoxicillin" {
			t.Fatalf("passages %+v %v", ps, err)
		}
		must(t, db.DeletePassage(ctx, p.ID))
		wantCode(t, db.DeletePassage(ctx, p.ID), mesh.ENOTFOUND)
		if list, _ := db.FindSources(ctx, voice.SourceFilter{Under: []string{}}); len(list) != 0 {
			t.Fatal("empty scope sees sources")
		}
	})
}
