package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// A read replica (PostgreSQL streaming replication) takes the heavy reads: dashboards,
// reports, evaluations and exports. A request opts in with PreferReplica(ctx); every
// other read, and every write, stays on the primary, so a mentor reading the feedback
// of the observation they just saved always sees it.
//
// A health check runs every second: the replica is used while it answers and has
// replayed everything the primary had written at most maxLag ago. Otherwise reads go
// to the primary until it is back. A query that fails on the replica is retried on
// the primary at once and marks the replica down, so a replica that dies between two
// checks costs no failed request.

type replicaKey struct{}

// PreferReplica marks ctx: reads made with it may come from the read replica (when one
// is configured and healthy). Use it for reads that tolerate a lag of seconds.
func PreferReplica(ctx context.Context) context.Context {
	return context.WithValue(ctx, replicaKey{}, true)
}

type replica struct {
	pool   *sql.DB
	maxLag time.Duration

	healthy   atomic.Bool
	lag       atomic.Int64  // nanoseconds since the replica last had all of the primary's WAL
	fallbacks atomic.Uint64 // queries retried on the primary after failing on the replica
	reads     atomic.Uint64 // queries answered by the replica

	// Only the checker goroutine touches these.
	lastCaughtUp time.Time
	samples      []lsnSample // the primary's WAL position at recent checks
	stop, done   chan struct{}
}

// ReplicaCheckInterval is how often the replica's health and lag are checked.
var ReplicaCheckInterval = time.Second

// AttachReplica opens the read replica at dsn (PostgreSQL, for a PostgreSQL primary)
// and starts its health check. The replica need not answer yet: reads fall back to the
// primary until it does.
func (db *DB) AttachReplica(dsn string, maxLag time.Duration) error {
	if db.Dialect != Postgres || DialectOf(dsn) != Postgres {
		return fmt.Errorf("a read replica needs PostgreSQL for both the primary and the replica")
	}
	pool, err := postgresPool(dsn)
	if err != nil {
		return err
	}
	r := &replica{pool: pool, maxLag: maxLag, stop: make(chan struct{}), done: make(chan struct{})}
	db.replica = r
	db.checkReplica()
	interval := ReplicaCheckInterval
	go func() {
		defer close(r.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				db.checkReplica()
			}
		}
	}()
	return nil
}

// ReplicaStatus reports whether a replica is configured, whether reads go to it now,
// its lag, and how many reads it answered and how many fell back to the primary.
func (db *DB) ReplicaStatus() (configured, healthy bool, lag time.Duration, reads, fallbacks uint64) {
	r := db.replica
	if r == nil {
		return false, false, 0, 0, 0
	}
	return true, r.healthy.Load(), time.Duration(r.lag.Load()), r.reads.Load(), r.fallbacks.Load()
}

// checkReplica measures the lag. Each check reads the primary's WAL position and
// remembers it with the time; the replica's replay position then tells the newest
// remembered moment whose writes it has all replayed, and the lag is the time since.
// (Comparing with the primary's position of the same instant would call a replica
// that trails by a few milliseconds of streaming "never caught up" under load.)
func (db *DB) checkReplica() {
	r := db.replica
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	asked := time.Now()
	var primaryLSN string
	if err := db.write.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&primaryLSN); err != nil {
		return // the primary is away: nothing to compare with, and no reason to prefer it
	}
	r.samples = append(r.samples, lsnSample{asked, parseLSN(primaryLSN)})
	var inRecovery bool
	var replayLSN sql.NullString
	err := r.pool.QueryRowContext(ctx, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text").Scan(&inRecovery, &replayLSN)
	if err != nil {
		r.healthy.Store(false)
		// Drop the idle connections: after a replica restart they are all dead, and
		// each would otherwise fail one check before the pool discards it.
		r.pool.SetMaxIdleConns(0)
		r.pool.SetMaxIdleConns(pgPoolSize())
	} else {
		replay := parseLSN(replayLSN.String)
		for i := len(r.samples) - 1; i >= 0; i-- {
			if !inRecovery || replay >= r.samples[i].lsn {
				if r.samples[i].t.After(r.lastCaughtUp) {
					r.lastCaughtUp = r.samples[i].t
				}
				r.samples = append(r.samples[:0], r.samples[i:]...)
				break
			}
		}
	}
	if len(r.samples) > 600 {
		r.samples = append(r.samples[:0], r.samples[len(r.samples)-600:]...)
	}
	lag := time.Since(r.lastCaughtUp)
	if r.lastCaughtUp.IsZero() {
		lag = 1<<63 - 1
	}
	r.lag.Store(int64(lag))
	r.healthy.Store(err == nil && lag <= r.maxLag)
}

type lsnSample struct {
	t   time.Time
	lsn uint64
}

// parseLSN reads a PostgreSQL log sequence number "16/B374D848".
func parseLSN(s string) uint64 {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0
	}
	return h<<32 | l
}

// replicaPool is the replica's pool when ctx prefers it and it is healthy, else nil.
func (db *DB) replicaPool(ctx context.Context) *sql.DB {
	r := db.replica
	if r == nil || !r.healthy.Load() {
		return nil
	}
	if ok, _ := ctx.Value(replicaKey{}).(bool); !ok {
		return nil
	}
	return r.pool
}

// replicaFailed records a query that failed on the replica: it is marked down until
// the next health check finds it well.
func (db *DB) replicaFailed() {
	db.replica.healthy.Store(false)
	db.replica.fallbacks.Add(1)
}

func (r *replica) close() {
	close(r.stop)
	<-r.done
	r.pool.Close()
}

// PoolStats returns the connection pools' statistics by role: "write" and "read" for
// SQLite, "primary" for PostgreSQL, and "replica" when one is attached.
func (db *DB) PoolStats() map[string]sql.DBStats {
	out := map[string]sql.DBStats{}
	if db.Dialect == Postgres {
		out["primary"] = db.write.Stats()
	} else {
		out["write"], out["read"] = db.write.Stats(), db.read.Stats()
	}
	if db.replica != nil {
		out["replica"] = db.replica.pool.Stats()
	}
	return out
}
