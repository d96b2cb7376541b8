package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"mesh"
	"mesh/account"
	"mesh/audit"
	"mesh/qi"
	"mesh/readiness"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/visit"
)

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

// assertRecount checks that the counts kept on write equal a recount from the records.
func assertRecount(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	want, err := db.RecountIndicators(context.Background())
	must(t, err)
	got, err := db.StoredCounts(context.Background())
	must(t, err)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: stored %v, recount %v", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: stored %v, recount has nothing", k, g)
		}
	}
}

func TestReadinessChecksAndCounts(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "tester"})
		_, _, facility := tree(t, db)
		cl := readiness.DefaultChecklist()
		hash, _ := account.HashPassword("correct horse battery")
		mentor := &account.User{Username: "mentor1", Role: account.Mentor, PasswordHash: hash}
		must(t, db.CreateUser(ctx, mentor))
		v := &visit.Visit{ID: "0190c1a2-0000-7000-8000-0000000000a1", FacilityID: facility.ID, MentorID: mentor.ID, Date: "2026-03-14"}
		_, err := db.PutVisit(ctx, v, nil)
		must(t, err)

		c := &readiness.Check{ID: "0190c1a2-0000-7000-8000-0000000000c1", FacilityID: facility.ID, VisitID: v.ID, Date: "2026-03-14",
			Answers: []readiness.Answer{{Item: "ors", InStock: yes()}, {Item: "zinc", InStock: no()}, {Item: "scale", Present: yes(), Functional: yes()}}}
		created, err := db.PutCheck(ctx, c, cl, nil)
		if err != nil || !created || c.Version != 1 {
			t.Fatalf("create: %v %v %+v", created, err, c)
		}
		again := &readiness.Check{ID: c.ID, FacilityID: facility.ID, VisitID: v.ID, Date: "2026-03-14",
			Answers: []readiness.Answer{{Item: "scale", Present: yes(), Functional: yes()}, {Item: "zinc", InStock: no()}, {Item: "ors", InStock: yes()}}}
		created, err = db.PutCheck(ctx, again, cl, nil)
		if err != nil || created || !again.Unchanged || again.Version != 1 {
			t.Fatalf("repeat (answers in another order): %v %v %+v", created, err, again)
		}
		changed := &readiness.Check{ID: c.ID, FacilityID: facility.ID, Date: "2026-04-02", Answers: []readiness.Answer{{Item: "ors", InStock: no()}}}
		_, err = db.PutCheck(ctx, changed, cl, nil)
		wantCode(t, err, mesh.ECONFLICT)
		_, err = db.PutCheck(ctx, changed, cl, ptr(1))
		must(t, err)
		if changed.Version != 2 {
			t.Fatalf("version %d", changed.Version)
		}
		assertRecount(t, db)
		counts, err := db.IndicatorCounts(ctx, "sys.tracer_availability", nil, "", "")
		must(t, err)
		if n := len(counts); n == 0 || counts[n-1].Month != "2026-04" || counts[n-1].Num != 0 || counts[n-1].Den != 1 || (n == 2 && counts[0].Den != 0) {
			t.Errorf("counts moved to the new month: %+v", counts)
		}
		if counts, _ := db.IndicatorCounts(ctx, "mentoring.visits", nil, "", ""); len(counts) != 1 || counts[0].Num != 1 {
			t.Errorf("mentoring.visits %+v", counts)
		}
		// Invalid: nothing written, every field named.
		bad := &readiness.Check{ID: "0190c1a2-0000-7000-8000-0000000000c2", FacilityID: facility.ID, VisitID: "0190c1a2-0000-7000-8000-00000000ffff",
			Date: "2026-03-14", Answers: []readiness.Answer{{Item: "ors", InStock: yes()}}}
		_, err = db.PutCheck(ctx, bad, cl, nil)
		wantCode(t, err, mesh.EINVALID)
		if _, err := db.FindCheckByID(ctx, bad.ID); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Errorf("invalid check stored: %v", err)
		}
		list, total, err := db.FindChecks(ctx, readiness.CheckFilter{Under: []string{facility.Path}})
		if err != nil || total != 1 || len(list) != 1 {
			t.Errorf("find: %d %v", total, err)
		}
		entries, _, err := db.FindAuditEntries(ctx, audit.Filter{Entity: "readiness_check", EntityID: c.ID})
		if err != nil || len(entries) != 2 {
			t.Errorf("audit entries %d %v", len(entries), err)
		}
		changes, _, err := db.FindChanges(ctx, 0, nil, []string{"readiness_check"}, 10)
		if err != nil || len(changes) != 1 {
			t.Errorf("change log %+v %v", changes, err)
		}
	})
}

func TestStockEventsAndStockoutDays(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 20, 23, 30, 0, 0, time.UTC) } // 21 March in Kigali
		_, district, facility := tree(t, db)
		cl := readiness.DefaultChecklist()
		put := func(e *readiness.StockEvent, version *int) {
			t.Helper()
			_, err := db.PutStockEvent(ctx, e, cl, version)
			must(t, err)
		}
		a := &readiness.StockEvent{ID: "0190c1a2-0000-7000-8000-0000000000e1", FacilityID: facility.ID, Commodity: "zinc", StartedOn: "2026-01-20", EndedOn: "2026-02-10"}
		b := &readiness.StockEvent{ID: "0190c1a2-0000-7000-8000-0000000000e2", FacilityID: facility.ID, Commodity: "zinc", StartedOn: "2026-03-10"}
		dup := &readiness.StockEvent{ID: "0190c1a2-0000-7000-8000-0000000000e3", FacilityID: facility.ID, Commodity: "zinc", StartedOn: "2026-03-15"}
		put(a, nil)
		put(b, nil)
		put(dup, nil)
		// Same content: unchanged; a close without the version: conflict.
		same := *b
		put(&same, nil)
		if !same.Unchanged {
			t.Error("repeat not unchanged")
		}
		closed := *dup
		closed.EndedOn = "2026-03-18"
		_, err := db.PutStockEvent(ctx, &closed, cl, nil)
		wantCode(t, err, mesh.ECONFLICT)
		_, err = db.PutStockEvent(ctx, &readiness.StockEvent{ID: "0190c1a2-0000-7000-8000-0000000000e4", FacilityID: district.ID, Commodity: "scale", StartedOn: "2026-03-01"}, cl, nil)
		wantCode(t, err, mesh.EINVALID)

		counts, err := db.ComputedCounts(ctx, "sys.stockout_days.zinc", []string{district.Path}, "2026-01", "2026-04", db.Now())
		must(t, err)
		want := map[string]float64{"2026-01": 12, "2026-02": 9, "2026-03": 12, "2026-04": 0} // March: 10th..21st, the duplicate counted once
		for _, c := range counts {
			if c.Num != want[c.Month] {
				t.Errorf("%s: %v stock-out days, want %v", c.Month, c.Num, want[c.Month])
			}
		}
		cur, err := db.FindCurrentStockouts(ctx, []string{district.Path}, []string{"zinc", "ors"}, db.Now())
		must(t, err)
		if len(cur) != 1 || cur[0].EventID != b.ID || cur[0].DaysOut != 12 || cur[0].DistrictName != "Kayonza" {
			t.Errorf("current stock-outs %+v", cur)
		}
		if cur, _ := db.FindCurrentStockouts(ctx, []string{}, []string{"zinc"}, db.Now()); len(cur) != 0 {
			t.Error("an empty area sees stock-outs")
		}
	})
}

func TestIssues(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "mentor1"})
		db.Now = func() time.Time { return time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC) }
		_, district, facility := tree(t, db)
		i := &readiness.Issue{ID: "0190c1a2-0000-7000-8000-0000000000f1", FacilityID: facility.ID, Category: "supply", Description: "No ORS since January",
			OpenedOn: "2026-02-01"}
		_, err := db.PutIssue(ctx, i, nil)
		must(t, err)
		if i.Status != "open" || len(i.History) != 1 || i.History[0].On != "2026-02-01" {
			t.Fatalf("new issue %+v", i)
		}
		esc := &readiness.Issue{ID: i.ID, FacilityID: facility.ID, Category: "supply", Description: "No ORS since January", OpenedOn: "2026-02-01", Status: "escalated"}
		_, err = db.PutIssue(ctx, esc, nil)
		wantCode(t, err, mesh.ECONFLICT)
		_, err = db.PutIssue(ctx, esc, ptr(1))
		must(t, err)
		if len(esc.History) != 2 || esc.History[1].Status != "escalated" || esc.History[1].On != "2026-03-20" || esc.History[1].By != "mentor1" {
			t.Fatalf("history %+v", esc.History)
		}
		again := *esc
		again.History = nil
		_, err = db.PutIssue(ctx, &again, nil)
		if err != nil || !again.Unchanged || len(again.History) != 2 {
			t.Fatalf("repeat: %v %+v", err, again)
		}
		for range 2 { // a retried comment is stored once
			got, err := db.AddIssueComment(ctx, &readiness.Comment{ID: "0190c1a2-0000-7000-8000-0000000000f9", IssueID: i.ID, Text: "District pharmacy called"})
			must(t, err)
			if len(got.Comments) != 1 {
				t.Fatalf("comments %+v", got.Comments)
			}
		}
		_, err = db.AddIssueComment(ctx, &readiness.Comment{ID: "0190c1a2-0000-7000-8000-0000000000f9", IssueID: i.ID, Text: "other"})
		wantCode(t, err, mesh.ECONFLICT)

		list, total, err := db.FindIssues(ctx, readiness.IssueFilter{Status: "escalated", Under: []string{district.Path}})
		if err != nil || total != 1 || list[0].ID != i.ID {
			t.Errorf("escalated list %d %v", total, err)
		}
		st, err := db.IssueStats(ctx, nil)
		must(t, err)
		if st.Open != 1 || st.Escalated != 1 || st.MedianDaysOpen == nil || *st.MedianDaysOpen != 47 {
			t.Errorf("stats %+v", st)
		}
		counts, err := db.ComputedCounts(ctx, "sys.open_issues", nil, "2026-01", "2026-04", db.Now())
		must(t, err)
		want := map[string]float64{"2026-01": 0, "2026-02": 1, "2026-03": 1, "2026-04": 0}
		for _, c := range counts {
			if c.Num != want[c.Month] {
				t.Errorf("open issues %s: %v, want %v", c.Month, c.Num, want[c.Month])
			}
		}
	})
}

func TestQIProjectsAndCycles(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }
		_, _, facility := tree(t, db)
		p := &qi.Project{ID: "0190c1a2-0000-7000-8000-0000000000b1", FacilityID: facility.ID, Title: "Plot every weight", Problem: "Charts unused",
			Aim:         qi.Aim{Text: "80% by December", IndicatorID: "imci.growth_chart_used", TargetValue: 0.8, TargetDate: "2026-12-31"},
			ChangeIdeas: []qi.ChangeIdea{{ID: "c1", Text: "Chart on the desk"}}, StartedOn: "2026-01-10"}
		_, err := db.PutProject(ctx, p, nil)
		must(t, err)
		c := &qi.PDSACycle{ID: "0190c1a2-0000-7000-8000-0000000000b2", ProjectID: p.ID, ChangeIdeaID: "c1", Plan: "Try for a week", StartedOn: "2026-02-01"}
		created, err := db.PutCycle(ctx, c, nil)
		if err != nil || !created {
			t.Fatal(created, err)
		}
		done := *c
		done.EndedOn, done.Result, done.Study = "2026-02-25", "adopt", "Plotting rose"
		_, err = db.PutCycle(ctx, &done, ptr(1))
		must(t, err)
		got, err := db.FindProjectByID(ctx, p.ID)
		must(t, err)
		if len(got.Cycles) != 1 || got.Cycles[0].Result != "adopt" || got.Cycles[0].Version != 2 {
			t.Fatalf("project %+v", got)
		}
		if counts, _ := db.IndicatorCounts(ctx, "qi.pdsa_cycles", nil, "", ""); len(counts) != 1 || counts[0].Month != "2026-02" || counts[0].Num != 1 {
			t.Errorf("qi.pdsa_cycles %+v", counts)
		}
		assertRecount(t, db)
		// Removing an idea a cycle tested is refused.
		p2 := *got
		p2.ChangeIdeas = []qi.ChangeIdea{}
		_, err = db.PutProject(ctx, &p2, ptr(1))
		wantCode(t, err, mesh.EINVALID)
		active, err := db.ComputedCounts(ctx, "qi.active_projects", nil, "2025-12", "2026-07", db.Now())
		must(t, err)
		for _, m := range active {
			want := 1.0
			if m.Month == "2025-12" || m.Month == "2026-07" {
				want = 0
			}
			if m.Num != want {
				t.Errorf("active projects %s: %v", m.Month, m.Num)
			}
		}
	})
}
