// Package sqlstore is MESH's one storage implementation: database/sql over SQLite
// (modernc, the embedded default) and PostgreSQL (pgx), with the same queries written
// once with `?` placeholders and rebound for PostgreSQL.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"

	"mesh"
	"mesh/secret"
)

// Dialect says which database a DB talks to.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open MESH database. SQLite gets one writer connection (SQLite allows one
// writer at a time; a single connection avoids SQLITE_BUSY storms) and a read pool;
// PostgreSQL uses one pool for both.
type DB struct {
	DSN     string
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB

	// Now returns the current time; tests replace it to pin dates.
	Now func() time.Time

	// BackfillProgress, when set, hears how a data step run by Migrate is going: done
	// of total rows of step (a long upgrade should not look like a hang).
	BackfillProgress func(step string, done, total int)

	// stmts caches prepared statements by pool and query: parsing SQL was the largest
	// single cost of a save before (modernc re-parses every un-prepared statement).
	stmts sync.Map // stmtKey → *sql.Stmt

	// writes feeds the group committer (nil when MESH_GROUP_COMMIT=0); see groupcommit.go.
	writes  chan *writeReq
	stopped chan struct{}
	closeMu sync.RWMutex
	closed  bool

	// replica is the optional read replica (replica.go); nil without one.
	replica *replica

	// Secrets seals secrets kept in the database (the DHIS2 token): MESH_SECRET_KEY,
	// else for SQLite the key file "<database>.key" made on first use (secret package).
	Secrets *secret.Keyring
}

type stmtKey struct {
	pool *sql.DB
	q    string
}

// prepared returns a cached prepared statement for q on pool.
func (db *DB) prepared(ctx context.Context, pool *sql.DB, q string) (*sql.Stmt, error) {
	k := stmtKey{pool, q}
	if st, ok := db.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, driverError(err)
	}
	if prev, loaded := db.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// DialectOf tells the dialect of a --db value: a postgres:// URL or a file path.
func DialectOf(dsn string) Dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open opens (creating if needed, for SQLite) the database named by dsn. It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{DSN: dsn, Dialect: DialectOf(dsn), Now: func() time.Time { return time.Now().UTC() },
		Secrets: &secret.Keyring{Env: os.Getenv(secret.EnvVar)}}
	if db.Dialect == SQLite {
		db.Secrets.File = secret.FileFor(dsn)
	}
	var err error
	if db.Dialect == Postgres {
		err = db.openPostgres(dsn)
	} else {
		err = db.openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

func (db *DB) openPostgres(dsn string) error {
	pool, err := postgresPool(dsn)
	if err != nil {
		return err
	}
	db.write, db.read = pool, pool
	if groupCommit() {
		db.startCommitter()
	}
	return nil
}

// pgPoolSize is the connection cap of a PostgreSQL pool (the primary's, a replica's).
func pgPoolSize() int { return 4 * runtime.GOMAXPROCS(0) }

// postgresPool opens a PostgreSQL pool sized for this machine.
func postgresPool(dsn string) (*sql.DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(pgPoolSize())
	pool.SetMaxIdleConns(pgPoolSize())
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return pool, nil
}

// groupCommit reports whether writes go through the group committer (the default);
// MESH_GROUP_COMMIT=0 (or the older MESH_SQLITE_GROUP_COMMIT=0) gives each write its
// own transaction, for comparison.
func groupCommit() bool {
	return os.Getenv("MESH_GROUP_COMMIT") != "0" && os.Getenv("MESH_SQLITE_GROUP_COMMIT") != "0"
}

// sqliteDSN puts the pragmas in the DSN so that every pooled connection gets them
// (a PRAGMA run with Exec reaches only one connection). synchronous=NORMAL in WAL
// mode syncs the WAL at checkpoints, not at each commit: a commit survives a crash
// of the program, and only a power loss can take back the last commits.
// temp_store=MEMORY keeps the savepoint sub-journal of group commit in memory
// (otherwise it spills to a temporary file once a batch passes 64 KiB).
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func (db *DB) openSQLite(path string) error {
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	// Create the file and switch it to WAL before the readers open it.
	if _, err := w.Exec("SELECT 1"); err != nil {
		w.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return err
	}
	// Keep every reader open: database/sql keeps two idle by default, so under load
	// the others were closed and reopened, each time re-reading the schema and
	// re-preparing the cached statements.
	r.SetMaxOpenConns(max(4, 2*runtime.GOMAXPROCS(0)))
	r.SetMaxIdleConns(max(4, 2*runtime.GOMAXPROCS(0)))
	r.SetConnMaxLifetime(0)
	db.write, db.read = w, r
	if groupCommit() {
		db.startCommitter()
	}
	return nil
}

// Close closes the connection pools.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if db.writes != nil && !db.closed {
		close(db.writes)
		<-db.stopped
	}
	db.closed = true
	db.closeMu.Unlock()
	if db.replica != nil {
		db.replica.close()
	}
	db.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	if db.read != nil && db.read != db.write {
		db.read.Close()
	}
	if db.write != nil {
		return db.write.Close()
	}
	return nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// rebind turns `?` placeholders into `$1, $2…` for PostgreSQL. Queries in this
// package never contain a literal `?` inside a string.
func (db *DB) rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tx is a write transaction with the caller's context, actor and the time it began.
type Tx struct {
	*sql.Tx
	db  *DB
	ctx context.Context
	now time.Time

	toCache []string // statements to prepare on the writer after commit

	changeLocked bool // PostgreSQL: the change-log lock is already held (group commit takes it per batch)

	counts countDeltas // facility-month count changes to write before COMMIT (see addCounts)
}

// stmt returns q prepared for this transaction. On SQLite a statement already in the
// writer's cache is reused; a new one is prepared on the transaction and queued to
// be cached once the transaction has released the single writer connection (preparing
// on the pool now would wait for that very connection). PostgreSQL does not come here
// (see exec): pgx keeps its own per-connection statement cache.
func (tx *Tx) stmt(q string) (*sql.Stmt, error) {
	q = tx.db.rebind(q)
	if tx.db.Dialect == SQLite {
		if st, ok := tx.db.stmts.Load(stmtKey{tx.db.write, q}); ok {
			return tx.StmtContext(tx.ctx, st.(*sql.Stmt)), nil
		}
		tx.toCache = append(tx.toCache, q)
	}
	st, err := tx.PrepareContext(tx.ctx, q)
	return st, driverError(err)
}

// exec runs a write statement with ? placeholders. On PostgreSQL it goes straight to
// pgx, whose per-connection cache prepares a statement once: an explicit Prepare in
// the transaction cost a round trip to prepare and another to deallocate at its end.
func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	if tx.db.Dialect == Postgres {
		res, err := tx.ExecContext(tx.ctx, tx.db.rebind(q), args...)
		return res, driverError(err)
	}
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(tx.ctx, args...)
	return res, driverError(err)
}

// query runs a query with ? placeholders inside the transaction.
func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	if tx.db.Dialect == Postgres {
		rows, err := tx.QueryContext(tx.ctx, tx.db.rebind(q), args...)
		return rows, driverError(err)
	}
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(tx.ctx, args...)
	return rows, driverError(err)
}

// queryRow runs a single-row query with ? placeholders inside the transaction.
func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	if tx.db.Dialect == Postgres {
		return tx.QueryRowContext(tx.ctx, tx.db.rebind(q), args...)
	}
	st, err := tx.stmt(q)
	if err != nil {
		return tx.QueryRowContext(tx.ctx, tx.db.rebind(q), args...) // reports the same error on Scan
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// insertID runs an INSERT … RETURNING id and returns the new id.
func (tx *Tx) insertID(q string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(q+" RETURNING id", args...).Scan(&id)
	return id, driverError(err)
}

// update runs a write and reports ENOTFOUND when it touched no row.
func (tx *Tx) update(what string, q string, args ...any) error {
	res, err := tx.exec(q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return mesh.Errorf(mesh.ENOTFOUND, "%s not found", what)
	}
	return nil
}

// inTx runs fn in a write transaction, committing when fn returns nil. Every write in
// MESH goes through here, so a failed write leaves nothing half-written.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.writes != nil {
		db.closeMu.RLock()
		defer db.closeMu.RUnlock()
		if db.closed {
			return errClosed
		}
		return db.queueWrite(ctx, fn)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return driverError(err)
	}
	tx := &Tx{Tx: sqlTx, db: db, ctx: ctx, now: db.Now().UTC()}
	err = fn(tx)
	if err == nil && len(tx.counts) > 0 {
		err = tx.flushCounts(tx.counts)
	}
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return driverError(err)
	}
	for _, q := range tx.toCache {
		db.prepared(ctx, db.write, q) // best effort: a failure only means no cache
	}
	return nil
}

// readQuery runs a read-only query with ? placeholders on the read pool.
func (db *DB) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if pool := db.replicaPool(ctx); pool != nil {
		rows, err := pool.QueryContext(ctx, db.rebind(q), args...)
		if err == nil || ctx.Err() != nil {
			db.replica.reads.Add(1)
			return rows, driverError(err)
		}
		db.replicaFailed() // and answer from the primary below
	}
	if db.Dialect == Postgres {
		rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
		return rows, driverError(err)
	}
	st, err := db.prepared(ctx, db.read, db.rebind(q))
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, driverError(err)
}

// readRow runs a single-row read on the read pool.
func (db *DB) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if pool := db.replicaPool(ctx); pool != nil {
		// Row.Err is the query's own error (not ErrNoRows), so a replica that is
		// away is noticed here and the primary answers instead.
		row := pool.QueryRowContext(ctx, db.rebind(q), args...)
		if row.Err() == nil || ctx.Err() != nil {
			db.replica.reads.Add(1)
			return row
		}
		db.replicaFailed()
	}
	if db.Dialect == Postgres {
		return db.read.QueryRowContext(ctx, db.rebind(q), args...)
	}
	st, err := db.prepared(ctx, db.read, db.rebind(q))
	if err != nil {
		return db.read.QueryRowContext(ctx, db.rebind(q), args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecForTest runs a raw statement on the writer; tests use it to set up odd states.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.rebind(q), args...)
}
