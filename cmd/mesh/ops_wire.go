package main

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/metrics"
	"mesh/sqlstore"
)

// Wiring for operations: /metrics, its database collectors, and which requests may
// read from the replica (docs/operations.md).

var (
	httpMetrics = metrics.NewHTTPMetrics(metrics.Default)
	servedDB    atomic.Pointer[sqlstore.DB] // the database /metrics reports on
	collectOnce sync.Once
)

// registerMetrics makes db the database /metrics reports on, and registers the
// collectors once per process (tests and `mesh bench load` build several handlers).
func registerMetrics(db *sqlstore.DB) {
	servedDB.Store(db)
	collectOnce.Do(func() {
		metrics.CollectRuntime(metrics.Default)
		metrics.Default.Collect(collectDB)
	})
}

func collectDB(e *metrics.Emitter) {
	db := servedDB.Load()
	if db == nil {
		return
	}
	for pool, s := range db.PoolStats() {
		e.Gauge("mesh_db_connections_open", "Open database connections, by pool.", float64(s.OpenConnections), "pool", pool)
		e.Gauge("mesh_db_connections_in_use", "Database connections in use, by pool.", float64(s.InUse), "pool", pool)
		e.Gauge("mesh_db_connections_idle", "Idle database connections, by pool.", float64(s.Idle), "pool", pool)
		e.Gauge("mesh_db_connections_max_open", "The pool's cap on open connections.", float64(s.MaxOpenConnections), "pool", pool)
		e.Counter("mesh_db_wait_total", "Times a query waited for a free connection, by pool.", float64(s.WaitCount), "pool", pool)
		e.Counter("mesh_db_wait_seconds_total", "Time spent waiting for a free connection, by pool.", s.WaitDuration.Seconds(), "pool", pool)
	}
	if ok, healthy, lag, reads, fallbacks := db.ReplicaStatus(); ok {
		h := 0.0
		if healthy {
			h = 1
		}
		e.Gauge("mesh_db_replica_healthy", "1 while dashboard and export reads go to the read replica, 0 while they fall back to the primary.", h)
		e.Gauge("mesh_db_replica_lag_seconds", "Time since the replica last had replayed all of the primary's WAL.", min(lag.Seconds(), 1e9))
		e.Counter("mesh_db_replica_reads_total", "Queries answered by the read replica.", float64(reads))
		e.Counter("mesh_db_replica_fallbacks_total", "Queries that failed on the replica and were answered by the primary.", float64(fallbacks))
	}
}

// metricsForAdmins serves /metrics on the main address to admins only: behind a proxy
// on the same machine every request comes from loopback, so the address proves nothing.
// Unauthenticated scraping goes to --metrics-addr instead.
func metricsForAdmins(logger *slog.Logger) http.HandlerFunc {
	h := metrics.Default.Handler()
	return func(w http.ResponseWriter, r *http.Request) {
		if err := auth.Check(auth.CallerFrom(r.Context()), account.ReadAudit, ""); err != nil {
			api.WriteError(w, r, logger, err)
			return
		}
		h.ServeHTTP(w, r)
	}
}

// replicaReads lists the reads that may come from the read replica: dashboards,
// reports, evaluations and exports, which tolerate seconds of lag. Everything else,
// notably the feedback page right after a save, reads the primary.
var replicaReads = []string{
	"/dashboard", "/evaluation", "/reports/", "/exports",
	"/api/v1/indicators", "/api/v1/evaluation", "/api/v1/cadence", "/api/v1/issues/stats",
	"/api/v1/coding/theme-counts", "/api/v1/coding/quotes.",
}

// preferReplica marks the context of those requests; it runs after the caller is
// resolved, so sessions and tokens are always looked up on the primary (a token
// issued a moment ago may not have reached the replica).
func preferReplica(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			for _, p := range replicaReads {
				if strings.HasPrefix(r.URL.Path, p) {
					r = r.WithContext(sqlstore.PreferReplica(r.Context()))
					break
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
