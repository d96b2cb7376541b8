package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"mesh"
	"mesh/audit"
	"mesh/demo"
	"mesh/dhis2"
	"mesh/observation"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

func TestDHIS2MappingReplaceIsAllOrNothing(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		m, err := db.DHIS2Mapping(ctx)
		if err != nil || m.IDScheme != "uid" || len(m.Entries) != 0 {
			t.Fatalf("empty mapping %+v, %v", m, err)
		}
		good := &dhis2.Mapping{DataSet: "MESHimci001", IDScheme: "uid", Entries: []dhis2.Entry{
			{Indicator: "imci.weighed", Part: "value", DataElement: "IMCIweighd1"},
			{Indicator: "imci.weighed", Part: "numerator", DataElement: "IMCIweighN1", CategoryOptionCombo: "cocUnder5y1"},
		}}
		must(t, db.ReplaceDHIS2Mapping(ctx, good))
		bad := &dhis2.Mapping{IDScheme: "uid", Entries: []dhis2.Entry{{Indicator: "imci.nope", Part: "value", DataElement: "IMCIweighd1"}}}
		if err := db.ReplaceDHIS2Mapping(ctx, bad); mesh.ErrorCode(err) != mesh.EINVALID {
			t.Fatalf("bad mapping stored: %v", err)
		}
		got, err := db.DHIS2Mapping(ctx)
		if err != nil || got.DataSet != "MESHimci001" || len(got.Entries) != 2 || got.Entries[1] != good.Entries[1] {
			t.Fatalf("after a refused import: %+v, %v", got, err)
		}
		entries, _, err := db.FindAuditEntries(ctx, audit.Filter{Entity: "dhis2_mapping"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit entries %d, %v", len(entries), err)
		}
	})
}

// The payload's numerators and denominators are the facility-month counts summed over
// the period's months, facility by facility: the same sums IndicatorCounts gives.
func TestDHIS2FacilityCountsMatchIndicatorCounts(t *testing.T) {
	ctx := context.Background()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	ids := []string{"imci.correctly_managed", "imci.weighed", "mentoring.visits"}
	p, _ := dhis2.ParsePeriod("2026Q1")
	got, err := db.DHIS2FacilityCounts(ctx, ids, nil, p, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 5 {
		t.Fatalf("only %d facilities with data in 2026Q1", len(got))
	}
	for _, f := range got {
		o, err := db.FindOrgUnitByID(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.UID != o.DHIS2UID || f.Code != o.Code {
			t.Errorf("facility %d ids %q %q, want %q %q", f.ID, f.UID, f.Code, o.DHIS2UID, o.Code)
		}
		for _, id := range ids {
			months, err := db.IndicatorCounts(ctx, id, []string{o.Path}, p.Start, p.End)
			if err != nil {
				t.Fatal(err)
			}
			var want dhis2.Count
			for _, m := range months {
				want.Num += m.Num
				want.Den += m.Den
			}
			if c := f.Counts[id]; c != want {
				t.Errorf("%s %s: %+v, IndicatorCounts sum %+v", o.Name, id, c, want)
			}
		}
	}
}

func TestExportStreamsEveryRowInPages(t *testing.T) {
	ctx := context.Background()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	_, total, err := db.FindObservations(ctx, observation.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, last := 0, time.Time{}
	seen := map[string]bool{}
	for o, err := range db.ExportObservations(ctx, sqlstore.ExportFilter{PageSize: 37}) {
		if err != nil {
			t.Fatal(err)
		}
		if o.ObservedAt.Before(last) || seen[o.ID] || o.Facility == "" {
			t.Fatalf("row %d out of order, repeated or unnamed: %s %s", n, o.ID, o.ObservedAt)
		}
		last, seen[o.ID] = o.ObservedAt, true
		n++
	}
	if n != total || n == 0 {
		t.Fatalf("exported %d observations, stored %d", n, total)
	}
	var visits, counts int
	for _, err := range db.ExportVisits(ctx, sqlstore.ExportFilter{PageSize: 50, From: "2026-01-01", To: "2026-03-31"}) {
		if err != nil {
			t.Fatal(err)
		}
		visits++
	}
	for c, err := range db.ExportIndicatorCounts(ctx, sqlstore.ExportFilter{PageSize: 100, From: "2026-03-01", To: "2026-03-31"}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.Month != "2026-03" {
			t.Fatalf("month %s outside the filter", c.Month)
		}
		counts++
	}
	if visits == 0 || counts == 0 {
		t.Fatalf("visits %d, indicator rows %d", visits, counts)
	}
}
