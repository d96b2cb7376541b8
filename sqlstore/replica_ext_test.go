package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// TestReplicaRouting checks the read routing without a streaming replica (the full
// set-up is cmd/mesh's TestReplicationBehindNginx): a replica that never answers
// leaves every read on the primary, and a "replica" that is a server not in recovery
// (the primary itself) is healthy and answers only the reads marked PreferReplica.
func TestReplicaRouting(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.Postgres)
	ctx := context.Background()
	prefer := sqlstore.PreferReplica(ctx)
	defer func(d time.Duration) { sqlstore.ReplicaCheckInterval = d }(sqlstore.ReplicaCheckInterval)
	sqlstore.ReplicaCheckInterval = 100 * time.Millisecond

	t.Run("unreachable replica", func(t *testing.T) {
		db := sqlstoretest.Open(t, sqlstore.Postgres)
		if err := db.AttachReplica("postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", time.Second); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.FindOrgUnits(prefer, place.Filter{}); err != nil {
			t.Fatalf("a read marked for the replica failed instead of using the primary: %v", err)
		}
		if _, healthy, _, reads, _ := db.ReplicaStatus(); healthy || reads != 0 {
			t.Errorf("unreachable replica: healthy %v, %d reads", healthy, reads)
		}
	})

	t.Run("healthy replica", func(t *testing.T) {
		if err := db.AttachReplica(db.DSN, time.Second); err != nil {
			t.Fatal(err)
		}
		if _, healthy, lag, _, _ := db.ReplicaStatus(); !healthy || lag > time.Second {
			t.Fatalf("replica not healthy: lag %v", lag)
		}
		if _, _, err := db.FindOrgUnits(ctx, place.Filter{}); err != nil {
			t.Fatal(err)
		}
		_, _, _, reads, _ := db.ReplicaStatus()
		if reads != 0 {
			t.Errorf("an unmarked read went to the replica (%d reads)", reads)
		}
		if _, _, err := db.FindOrgUnits(prefer, place.Filter{}); err != nil {
			t.Fatal(err)
		}
		if _, _, _, reads, _ = db.ReplicaStatus(); reads == 0 {
			t.Error("a read marked PreferReplica did not go to the healthy replica")
		}
		if st := db.PoolStats(); st["replica"].OpenConnections == 0 {
			t.Errorf("replica pool stats: %+v", st["replica"])
		}
	})
}
