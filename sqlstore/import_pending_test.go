package sqlstore_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"mesh"
	"mesh/account"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

func pendingUser(t *testing.T, db *sqlstore.DB, name string) int64 {
	t.Helper()
	u := &account.User{Username: name, Role: account.Admin, PasswordHash: "not-a-hash"}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestPendingImports: put, take once, one per user, bound to its owner, expiry, the
// size limit.
func TestPendingImports(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		ann, bob := pendingUser(t, db, "ann"), pendingUser(t, db, "bob")
		data := bytes.Repeat([]byte("name,type\nX,sector\n\x00\xff"), 1000) // bytes kept as they are

		tok, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, Kind: "places", FileName: "p.csv", Data: data})
		if err != nil || len(tok) != 22 { // 128 bits in unpadded base64url
			t.Fatalf("put: %q %v", tok, err)
		}
		// Another user's token, or a wrong one, finds nothing and leaves it be.
		if _, err := db.TakePendingImport(ctx, bob, tok); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Fatalf("bob takes ann's: %v", err)
		}
		if _, err := db.TakePendingImport(ctx, ann, tok+"x"); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Fatalf("wrong token: %v", err)
		}
		p, err := db.TakePendingImport(ctx, ann, tok)
		if err != nil || p.Kind != "places" || p.FileName != "p.csv" || !bytes.Equal(p.Data, data) || p.UserID != ann || !p.CreatedAt.Equal(clock) {
			t.Fatalf("take: %+v %v", p, err)
		}
		if _, err := db.TakePendingImport(ctx, ann, tok); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Fatalf("taken twice: %v", err)
		}

		// One per user: a new upload replaces the last; other users keep theirs.
		old, _ := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, Kind: "places", FileName: "a.csv", Data: []byte("a")})
		bobs, _ := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: bob, Kind: "users", FileName: "b.csv", Data: []byte("b")})
		recent, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, Kind: "health-workers", FileName: "c.csv", Data: []byte("c")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.TakePendingImport(ctx, ann, old); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Fatalf("the replaced upload: %v", err)
		}
		if p, err := db.TakePendingImport(ctx, ann, recent); err != nil || p.Kind != "health-workers" {
			t.Fatalf("the last upload: %+v %v", p, err)
		}

		// Expiry: 30 minutes, whoever's call comes next deletes it.
		clock = clock.Add(sqlstore.PendingImportTTL + time.Second)
		if _, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, Kind: "places", FileName: "d.csv", Data: []byte("d")}); err != nil {
			t.Fatal(err)
		}
		// (A delete that finds no row: the put removed it.)
		if res, err := db.ExecForTest(ctx, `DELETE FROM pending_imports WHERE user_id = ?`, bob); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 0 {
			t.Fatalf("bob's expired upload kept by the put (%d rows)", n)
		}
		if _, err := db.TakePendingImport(ctx, bob, bobs); mesh.ErrorCode(err) != mesh.ENOTFOUND {
			t.Fatalf("expired: %v", err)
		}
		// Just under the age limit it is still there.
		tok, _ = db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: bob, Kind: "places", FileName: "e.csv", Data: []byte("e")})
		clock = clock.Add(sqlstore.PendingImportTTL - time.Second)
		if _, err := db.TakePendingImport(ctx, bob, tok); err != nil {
			t.Fatalf("29 minutes old: %v", err)
		}

		// The size limit and the required fields.
		big := make([]byte, sqlstore.MaxPendingImport+1)
		if _, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, Kind: "places", FileName: "big.csv", Data: big}); mesh.ErrorCode(err) != mesh.ETOOLARGE {
			t.Fatalf("11 MB: %v", err)
		}
		if _, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, FileName: "x.csv", Data: []byte("x")}); mesh.ErrorCode(err) != mesh.EINVALID {
			t.Fatalf("no kind: %v", err)
		}
		if _, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: 0, Kind: "places", FileName: "x.csv", Data: []byte("x")}); mesh.ErrorCode(err) != mesh.EINVALID {
			t.Fatalf("no user: %v", err)
		}
	})
}

// TestPendingImportTakenOnce: confirmations of one upload at once, through two
// database handles as two servers would hold, are answered once.
// Without group commit too, whose PostgreSQL batches are serialized by the change
// log's lock and would hide a take that is not atomic.
func TestPendingImportTakenOnce(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		for _, gc := range []string{"1", "0"} {
			t.Run(string(d)+"/group-commit="+gc, func(t *testing.T) {
				t.Setenv("MESH_GROUP_COMMIT", gc)
				testTakenOnce(t, sqlstoretest.Open(t, d))
			})
		}
	}
}

func testTakenOnce(t *testing.T, db *sqlstore.DB) {
	{
		ctx := context.Background()
		other, err := sqlstore.Open(ctx, db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		ann := pendingUser(t, db, "ann")
		for round := range 5 {
			tok, err := db.PutPendingImport(ctx, &sqlstore.PendingImport{UserID: ann, Kind: "places", FileName: "p.csv", Data: bytes.Repeat([]byte("x"), 1<<20)})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			got, missed := 0, 0
			start := make(chan struct{})
			for i := range 8 {
				server := db
				if i%2 == 1 {
					server = other
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					p, err := server.TakePendingImport(ctx, ann, tok)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil && len(p.Data) == 1<<20:
						got++
					case mesh.ErrorCode(err) == mesh.ENOTFOUND:
						missed++
					default:
						t.Errorf("take: %v", err)
					}
				}()
			}
			close(start)
			wg.Wait()
			if got != 1 || missed != 7 {
				t.Fatalf("round %d: %d takes got the upload, %d found none; want 1 and 7", round, got, missed)
			}
		}
	}
}
