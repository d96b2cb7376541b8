package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"mesh/indicator"
)

// Writes that share a group-commit batch each add counts; those that fail after
// adding theirs must leave no trace, and the others' counts are written once, summed.
func TestGroupCommitCountsOfFailedWrites(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "gc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.writes == nil {
		t.Skip("group commit is off (MESH_GROUP_COMMIT=0)")
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecForTest(ctx, `INSERT INTO orgunits (id, name, type, path, created_at, updated_at) VALUES (1, 'F', 'facility', '/1/', ?, ?)`, db.Now(), db.Now()); err != nil {
		t.Fatal(err)
	}
	fail := errors.New("refused after counting")
	const writers = 40
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.inTx(ctx, func(tx *Tx) error {
				if err := tx.addCounts(1, "2026-11", []indicator.Contribution{{ID: "a", Num: 1, Den: 1}, {ID: "b", Num: 0, Den: 2}}, 1); err != nil {
					return err
				}
				if err := tx.audit("test", i, "create", nil); err != nil {
					return err
				}
				if i%4 == 0 {
					return fail
				}
				return nil
			})
			if (i%4 == 0) != errors.Is(err, fail) {
				t.Errorf("write %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	got, err := db.StoredCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const ok = writers - writers/4
	want := map[string][2]float64{"1|2026-11|a": {ok, ok}, "1|2026-11|b": {0, 2 * ok}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	var audited int
	if err := db.readRow(ctx, `SELECT count(*) FROM audit_log WHERE entity = 'test'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != ok {
		t.Errorf("%d audit entries, want %d", audited, ok)
	}
}
