package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mesh/api"
	"mesh/auth"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// flakyProxy stands between devices and the server like a bad mobile network: it
// drops a share of requests before the server sees them, drops a share of responses
// after the server has handled (and committed) them, and delays others.
type flakyProxy struct {
	upstream *url.URL
	tr       *http.Transport
	dropReq  float64
	dropResp float64

	mu  sync.Mutex
	rng *rand.Rand

	requests, droppedReq, droppedResp, delayed atomic.Int64
}

func newFlakyProxy(upstream string, seed uint64) *flakyProxy {
	u, _ := url.Parse(upstream)
	return &flakyProxy{upstream: u, tr: &http.Transport{MaxIdleConnsPerHost: 32}, dropReq: 0.2, dropResp: 0.2,
		rng: rand.New(rand.NewPCG(seed, 99))}
}

func (p *flakyProxy) roll() (float64, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Float64(), time.Duration(p.rng.IntN(150)) * time.Millisecond
}

// cut closes the client's connection without an answer: the client sees EOF/reset.
func cut(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // the server closes the connection without a response
}

func (p *flakyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	x, delay := p.roll()
	if x < p.dropReq {
		p.droppedReq.Add(1)
		cut(w)
		return
	}
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host, out.Host, out.RequestURI = p.upstream.Scheme, p.upstream.Host, p.upstream.Host, ""
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || x < p.dropReq+p.dropResp {
		p.droppedResp.Add(1)
		cut(w)
		return
	}
	if x < p.dropReq+p.dropResp+0.3 {
		p.delayed.Add(1)
		time.Sleep(delay)
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// TestFlakyNetwork syncs through the flaky proxy from several devices at once, then
// changes a third of the observations (version 1 → 2) the same way, and checks that
// every record is on the server exactly once at the right version, both in the
// database and as a device downloading /sync/changes through the same proxy sees it.
func TestFlakyNetwork(t *testing.T) {
	n, size, devices := 600, 25, 3 // size divides 50, the records per visit
	if longTests() {
		n, size, devices = 5000, 25, 4
	}
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, d)
			s := prepareDB(t, dsn)
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			upstream := httptest.NewServer(newHandler(db, slog.New(slog.NewTextHandler(io.Discard, nil)), false, nil))
			defer upstream.Close()
			proxy := newFlakyProxy(upstream.URL, uint64(n))
			ps := httptest.NewServer(proxy)
			defer ps.Close()
			// The token is issued directly: logging in is not what is under test.
			u, err := db.FindUserByUsername(ctx, "mentor.kayonza")
			if err != nil {
				t.Fatal(err)
			}
			token, err := auth.New(db, false).IssueToken(ctx, u, "api")
			if err != nil {
				t.Fatal(err)
			}
			c := newLoadClient(ps.URL, devices)
			c.http.Timeout = 30 * time.Second
			recs, want := relRecords(runID(), s, n)
			// Phase 2: every third observation changed by the device after it synced.
			var updates []api.SyncRecord
			for i, r := range recs {
				if r.Type == "observation" && i%3 == 0 {
					var body map[string]any
					json.Unmarshal(r.Data, &body)
					body["notes"] = fmt.Sprintf("revised after feedback %d", i)
					data, _ := json.Marshal(body)
					one := 1
					updates = append(updates, api.SyncRecord{Type: r.Type, ID: r.ID, Version: &one, Data: data})
					want[r.ID] = 2
				}
			}
			deadline := time.Now().Add(5 * time.Minute)
			var failures atomic.Int64
			start := time.Now()
			for _, phase := range [][]api.SyncRecord{recs, updates} {
				bs := batches(phase, size)
				var wg sync.WaitGroup
				for dev := 0; dev < devices; dev++ {
					wg.Add(1)
					go func(dev int) {
						defer wg.Done()
						acked := map[string]int{}
						// Each device owns whole visits (a visit and its observations stay in
						// one device's outbox, in order), as on real phones.
						for i := range bs {
							if (i*size/50)%devices != dev {
								continue
							}
							f, err := syncUntilAcked(c, token, bs[i], acked, deadline)
							failures.Add(int64(f))
							if err != nil {
								t.Error(err)
								return
							}
						}
					}(dev)
				}
				wg.Wait()
				if t.Failed() {
					t.FailNow()
				}
			}
			took := time.Since(start)
			lost, dups := verifyExactlyOnce(t, s, want)
			// A device downloading the changes through the same network sees each record
			// once, at its final version.
			seen := map[string]int{}
			cursor := ""
			// Bounded: a page is asked again after a drop, at most 1,000 asks in all.
			for asks := 0; asks < 1000; asks++ {
				var page struct {
					Changes []struct {
						ID      string
						Version int
					}
					Cursor string
					More   bool
				}
				if err := c.getJSON(ctx, token, "/api/v1/sync/changes?limit=500&since="+cursor, &page); err != nil {
					continue // dropped: ask again from the same cursor
				}
				for _, ch := range page.Changes {
					if _, dup := seen[ch.ID]; dup {
						t.Errorf("change %s downloaded twice", ch.ID)
					}
					seen[ch.ID] = ch.Version
				}
				cursor = page.Cursor
				if !page.More {
					break
				}
			}
			for id, v := range want {
				if seen[id] != v {
					t.Errorf("downloaded %s at version %d, want %d", id, seen[id], v)
					break
				}
			}
			t.Logf("%d records + %d updates from %d devices in %v: proxy saw %d requests, dropped %d requests and %d responses, delayed %d; "+
				"%d failed attempts retried; %d lost, %d duplicated, %d downloaded",
				n, len(updates), devices, took.Round(time.Millisecond), proxy.requests.Load(), proxy.droppedReq.Load(), proxy.droppedResp.Load(),
				proxy.delayed.Load(), failures.Load(), lost, dups, len(seen))
		})
	}
}
