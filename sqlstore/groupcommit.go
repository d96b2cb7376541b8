package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"mesh/metrics"
)

// Group commit. Most of a small write's cost is the commit itself: on SQLite the WAL
// append (one writer at a time anyway), on PostgreSQL the flush of its WAL to disk
// (and writes that touch the change log are serialized by its advisory lock). So
// concurrent writes are queued to one goroutine that runs up to maxBatch of them in a
// single transaction, each inside its own savepoint: a write that fails rolls back to
// its savepoint alone, and nobody is told "done" before the shared COMMIT has
// succeeded. If the commit fails, every write of the batch gets the error, so nothing
// is acknowledged that is not stored. A batch of one write needs no savepoint.

const maxBatch = 64

type writeReq struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// startCommitter starts the writer goroutine; Close stops it.
func (db *DB) startCommitter() {
	db.writes = make(chan *writeReq, 256)
	db.stopped = make(chan struct{})
	go db.commitLoop()
}

func (db *DB) commitLoop() {
	defer close(db.stopped)
	for first := range db.writes {
		batch := []*writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-db.writes:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.runBatch(batch)
	}
}

// queueWrite hands fn to the committer and waits for the outcome of its commit.
func (db *DB) queueWrite(ctx context.Context, fn func(tx *Tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Wait for the outcome even if ctx ends meanwhile: the write may already be in a
	// transaction, and returning early would leave the caller unsure whether it stored.
	return <-r.done
}

// groupCommitBatch is the size of each SQLite group commit, for /metrics.
var groupCommitBatch = metrics.Default.Histogram("mesh_sqlite_group_commit_batch_size",
	"Writes committed together by one SQLite group commit.", []float64{1, 2, 4, 8, 16, 32, 64})

func (db *DB) runBatch(batch []*writeReq) {
	groupCommitBatch.With().Observe(float64(len(batch)))
	errs := make([]error, len(batch))
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.done <- driverError(err)
		}
		return
	}
	if db.Dialect == Postgres {
		// The change log's lock (see recordChange), taken once for the whole batch and
		// outside any savepoint, so a write rolled back to its savepoint cannot release it.
		if _, err := sqlTx.Exec(changeLogLock); err != nil {
			sqlTx.Rollback()
			for _, r := range batch {
				r.done <- driverError(err)
			}
			return
		}
	}
	now := db.Now().UTC()
	var toCache []string
	counts := countDeltas{} // of the writes that succeeded, written once before COMMIT
	ok := 0
	for i, r := range batch {
		if len(batch) == 1 {
			errs[i] = db.runAlone(sqlTx, r, now, &toCache, counts) // no savepoint: a failure rolls back the whole transaction
		} else {
			errs[i] = db.runInSavepoint(sqlTx, r, now, &toCache, counts)
		}
		if errs[i] == nil {
			ok++
		}
	}
	if ok > 0 && len(counts) > 0 {
		tx := &Tx{Tx: sqlTx, db: db, ctx: context.Background(), now: now}
		if err := tx.flushCounts(counts); err != nil {
			ok = 0 // nothing of the batch may commit without its counts
			for i := range errs {
				if errs[i] == nil {
					errs[i] = err
				}
			}
		}
		toCache = append(toCache, tx.toCache...)
	}
	if ok == 0 {
		sqlTx.Rollback()
	} else if err := sqlTx.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = driverError(err)
			}
		}
	}
	for _, q := range toCache {
		db.prepared(context.Background(), db.write, q)
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// runInSavepoint runs one queued write inside its own savepoint. Statements run
// without the caller's cancellation: an interrupted statement would make SQLite roll
// back the whole shared transaction.
func (db *DB) runInSavepoint(sqlTx *sql.Tx, r *writeReq, now time.Time, toCache *[]string, counts countDeltas) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	ctx := context.WithoutCancel(r.ctx)
	if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return driverError(err)
	}
	tx := &Tx{Tx: sqlTx, db: db, ctx: ctx, now: now, changeLocked: db.Dialect == Postgres}
	err := r.fn(tx)
	*toCache = append(*toCache, tx.toCache...)
	if err != nil {
		if _, rerr := sqlTx.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if _, rerr := sqlTx.ExecContext(ctx, "RELEASE w"); rerr != nil && err == nil {
		return driverError(rerr)
	}
	if err == nil {
		counts.merge(tx.counts) // only a write that stays counts
	}
	return err
}

// runAlone runs the only write of a batch straight in the transaction.
func (db *DB) runAlone(sqlTx *sql.Tx, r *writeReq, now time.Time, toCache *[]string, counts countDeltas) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	tx := &Tx{Tx: sqlTx, db: db, ctx: context.WithoutCancel(r.ctx), now: now, changeLocked: db.Dialect == Postgres}
	err := r.fn(tx)
	*toCache = append(*toCache, tx.toCache...)
	if err == nil {
		counts.merge(tx.counts)
	}
	return err
}

var errClosed = errors.New("the database is closed")
