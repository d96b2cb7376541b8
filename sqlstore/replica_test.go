package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestParseLSN(t *testing.T) {
	for s, want := range map[string]uint64{"0/0": 0, "0/16B3748": 0x16B3748, "16/B374D848": 0x16<<32 | 0xB374D848, "": 0, "x/1": 0} {
		if got := parseLSN(s); got != want {
			t.Errorf("parseLSN(%q) = %x, want %x", s, got, want)
		}
	}
	if parseLSN("1/0") <= parseLSN("0/FFFFFFFF") {
		t.Error("LSNs must order by their high part first")
	}
}

func TestAttachReplicaNeedsPostgres(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.AttachReplica("postgres://u@127.0.0.1:1/x", time.Second); err == nil {
		t.Error("a SQLite primary accepted a replica")
	}
	// Without a replica, PreferReplica changes nothing: reads answer from the database.
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.SchemaCurrent(PreferReplica(context.Background())); err != nil || !ok {
		t.Errorf("read with PreferReplica and no replica: %v %v", ok, err)
	}
	if configured, _, _, _, _ := db.ReplicaStatus(); configured {
		t.Error("ReplicaStatus reports a replica that was refused")
	}
	if st := db.PoolStats(); st["write"].MaxOpenConnections != 1 || len(st) != 2 {
		t.Errorf("pool stats: %+v", st)
	}
}
