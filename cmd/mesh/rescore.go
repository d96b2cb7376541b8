package main

import (
	"context"
	"fmt"
	"os"

	"mesh"
	"mesh/imci"
	"mesh/observation"
	"mesh/sqlstore"
)

func init() {
	command("rescore", "re-score every observation with the current engine and protocol (resumable)", runRescore)
}

func runRescore(env *Env, args []string) error {
	fs := newFlags(env, "rescore", "rescore [--db DSN] [--protocol FILE] [--force]")
	var dsn string
	dbFlag(fs, env, &dsn)
	protoFile := fs.String("protocol", "", "protocol JSON file (default: embedded "+imci.DefaultProtocol().ID+")")
	force := fs.Bool("force", false, "re-score even observations already scored by this engine and scoring version")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	p := imci.DefaultProtocol()
	if *protoFile != "" {
		data, err := os.ReadFile(*protoFile)
		if err != nil {
			return usageT(env, "cli.err.cannot_read", "rescore", err)
		}
		if p, err = imci.LoadProtocol(data); err != nil {
			return usageT(env, "cli.err.bad_protocol", "rescore", *protoFile, err)
		}
	}
	ctx := mesh.WithActor(context.Background(), mesh.Actor{Username: "rescore", Role: "system"})
	db, err := openDB(ctx, env, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, changed, err := rescore(ctx, db, p, *force, func(done, total int) { progress(env, "rescore", done, total) })
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, env.T("cli.rescore.done", env.N(changed), env.N(n-changed)))
	return nil
}

// rescore walks every observation in pages and replaces scores made by another engine,
// scoring or protocol version. Re-running after an interruption skips the ones done,
// so the batch is resumable; each observation's score and counts change in one
// transaction.
func rescore(ctx context.Context, db *sqlstore.DB, p *imci.Protocol, force bool, report func(done, total int)) (seen, changed int, err error) {
	trained := map[int64]mesh.Date{}
	const page = 500
	for offset := 0; ; offset += page {
		list, total, err := db.FindObservations(ctx, observation.Filter{IncludeVoided: true, Limit: page, Offset: offset})
		if err != nil {
			return seen, changed, err
		}
		for _, rec := range list {
			seen++
			if !force && current(rec.Score, p) {
				continue
			}
			if err := rescoreOne(ctx, db, p, rec, trained); err != nil {
				return seen, changed, fmt.Errorf("observation %s: %w", rec.ID, err)
			}
			changed++
		}
		report(seen, total)
		if len(list) < page {
			return seen, changed, nil
		}
	}
}

func current(s observation.Score, p *imci.Protocol) bool {
	return s.ScoringVersion == observation.ScoringVersion && s.EngineVersion == imci.EngineVersion &&
		s.Protocol.ID == p.ID && s.Protocol.Version == p.Version
}

func rescoreOne(ctx context.Context, db *sqlstore.DB, p *imci.Protocol, rec *observation.Record, trained map[int64]mesh.Date) error {
	on, ok := trained[rec.HealthWorkerID]
	if !ok {
		hw, err := db.FindHealthWorkerByID(ctx, rec.HealthWorkerID)
		if err != nil {
			return err
		}
		on, trained[rec.HealthWorkerID] = hw.IMCITrainedOn, hw.IMCITrainedOn
	}
	fresh, err := observation.Build(rec.Observation, observation.Place{FacilityID: rec.FacilityID, FacilityPath: rec.FacilityPath},
		observation.Options{TrainedOn: on, Protocol: p})
	if err != nil {
		return err
	}
	return db.RescoreObservation(ctx, rec.ID, fresh.Expected, fresh.Score, fresh.Indicators)
}

// progress draws a one-line progress bar on stderr.
func progress(env *Env, what string, done, total int) {
	if total <= 0 {
		return
	}
	const width = 30
	filled := done * width / total
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	end := ""
	if done >= total {
		end = "\n"
	}
	fmt.Fprintf(env.Stderr, "\r%s [%s] %d/%d%s", what, bar, done, total, end)
}
