package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"mesh/api"
	"mesh/auth"
	"mesh/dhis2"
	"mesh/metrics"
	"mesh/sqlstore"
	"mesh/web"
)

func init() {
	command("serve", "serve the web app and the JSON API (migrates on start)", runServe)
}

// serveConfig is what `mesh serve` needs, gathered from flags and environment.
type serveConfig struct {
	addr, dsn         string
	demo              bool
	certFile, keyFile string
	secureCookies     bool
	readDSN           string        // --db-read: a streaming replica for dashboards and exports
	maxLag            time.Duration // --db-read-max-lag
	metricsAddr       string        // --metrics-addr: /metrics without login, on its own address
}

func runServe(env *Env, args []string) error {
	fs := newFlags(env, "serve", "serve [--addr HOST:PORT] [--db DSN] [--db-read DSN] [--metrics-addr HOST:PORT] [--demo] [--tls-cert FILE --tls-key FILE]")
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envOr(env, "MESH_ADDR", "127.0.0.1:8080"), "listen address (env MESH_ADDR)")
	dbFlag(fs, env, &cfg.dsn)
	fs.BoolVar(&cfg.demo, "demo", false, "load the demo data set into an empty database and print the demo logins")
	fs.StringVar(&cfg.certFile, "tls-cert", "", "TLS certificate file (serve HTTPS; service workers need it on a LAN)")
	fs.StringVar(&cfg.keyFile, "tls-key", "", "TLS private key file")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", false, "mark cookies Secure (set this behind a TLS proxy)")
	fs.StringVar(&cfg.readDSN, "db-read", envOr(env, "MESH_DB_READ", ""), "PostgreSQL read replica (postgres:// URL) for dashboards, reports, evaluations and exports (env MESH_DB_READ)")
	fs.DurationVar(&cfg.maxLag, "db-read-max-lag", 10*time.Second, "read from the primary while the replica lags more than this")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", envOr(env, "MESH_METRICS_ADDR", ""), "also serve /metrics without login on this address, e.g. 127.0.0.1:9100 (env MESH_METRICS_ADDR; default off: admins only on --addr)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageT(env, "cli.err.no_args", "serve", fs.Arg(0))
	}
	if (cfg.certFile == "") != (cfg.keyFile == "") {
		return usageT(env, "cli.err.tls_pair")
	}
	if cfg.readDSN != "" && (sqlstore.DialectOf(cfg.dsn) != sqlstore.Postgres || sqlstore.DialectOf(cfg.readDSN) != sqlstore.Postgres) {
		return usageT(env, "ops.serve.read_needs_postgres")
	}
	if cfg.maxLag <= 0 {
		return usageT(env, "ops.serve.bad_max_lag")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, env, cfg)
}

// serve opens and migrates the database, optionally loads the demo, and serves until
// ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, env *Env, cfg serveConfig) error {
	logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
	db, err := openDB(ctx, env, cfg.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.demo {
		if err := loadDemo(ctx, env, db); err != nil {
			return err
		}
	}
	if cfg.readDSN != "" {
		if err := db.AttachReplica(cfg.readDSN, cfg.maxLag); err != nil {
			return err
		}
	}
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics.Default.Handler())
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go msrv.Serve(mln)
		defer msrv.Close()
		fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("ops.serve.metrics_on", mln.Addr()))
	}
	// The scheduled monthly DHIS2 push, off until an admin turns it on (docs/dhis2.md):
	// every server ticks each minute; a lease in the database lets one push at a time.
	// The same scheduler runs an admin's "push now" in the background; shutting down
	// stops such a push (its job is logged as failed) and waits for it.
	host, _ := os.Hostname()
	sched := &dhis2.Scheduler{Store: db, Source: db, Holder: fmt.Sprintf("%s:%d", host, os.Getpid()), Logger: logger, Background: ctx}
	defer sched.Wait()
	go sched.Run(ctx, time.Minute)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return failT("cli.err.listen", cfg.addr, err)
	}
	scheme := "http"
	if cfg.certFile != "" {
		scheme = "https"
	}
	srv := &http.Server{
		Handler:           newHandler(db, logger, cfg.secureCookies || cfg.certFile != "", sched),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute, // exports stream for a while
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.serve.serving", scheme, ln.Addr(), describeDSN(cfg.dsn)))
	errc := make(chan error, 1)
	go func() {
		if cfg.certFile != "" {
			errc <- srv.ServeTLS(ln, cfg.certFile, cfg.keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintf(env.Stderr, "mesh: %s\n", env.T("cli.serve.shutting_down"))
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler wires the API, the web pages and the health check behind the security
// middleware, compressed: headers on everything, form bodies capped (413), cross-origin
// write protection (CSRF), and the caller resolved from a session cookie or bearer token.
// sched runs the DHIS2 "push now" (nil: the pages make their own).
func newHandler(db *sqlstore.DB, logger *slog.Logger, secureCookies bool, sched *dhis2.Scheduler) http.Handler {
	authn := auth.New(db, secureCookies)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz(db))
	registerMetrics(db)
	mux.HandleFunc("GET /metrics", metricsForAdmins(logger))
	apiServer := &api.Server{Store: db, Auth: authn, Logger: logger}
	apiServer.Routes(mux)
	registerWeb(mux, db, authn, logger, sched)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	// Pages, JSON and scripts gzipped for clients that take it (2G phones); the metrics
	// count every request by its route pattern.
	return httpMetrics.Middleware(mux, web.Compress(auth.SecurityHeaders(auth.LimitForms(csrf.Handler(authn.Middleware(preferReplica(mux)))))))
}

// healthz answers ok once the database answers and its schema is current.
func healthz(db *sqlstore.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		if ok, err := db.SchemaCurrent(ctx); err != nil || !ok {
			http.Error(w, "database not migrated", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}
}
