package api_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// BenchmarkObservationSave measures scored observation saves through the HTTP API:
// decode, engine, scoring, counts and audit in one transaction, at concurrency 1, 10
// and 50, on SQLite and (when configured) PostgreSQL. It reports saves/s and p50/p99.
//
//	go test -run '^$' -bench ObservationSave -benchtime 3000x ./api/
func BenchmarkObservationSave(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		for _, conc := range []int{1, 10, 50} {
			b.Run(fmt.Sprintf("%s/c%d", d, conc), func(b *testing.B) { benchSave(b, d, conc) })
		}
	}
}

func benchSave(b *testing.B, d sqlstore.Dialect, conc int) {
	f := newFixtureTB(b, d)
	visitID := "0190c1a2-0000-7000-8000-00000000c001"
	f.makeVisitTB(b, visitID)
	body := observationBody(visitID, f.inHW.ID, 52, rightClasses, "")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	tok := f.tokens["mentor.kayonza"]
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	save := func(i int) {
		id := fmt.Sprintf("0190c1a2-0000-7000-9%03d-%012d", conc, i)
		req, _ := http.NewRequest("PUT", f.srv.URL+"/api/v1/observations/"+id, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Errorf("status %d", resp.StatusCode)
		}
		lat[i] = time.Since(start)
	}
	for i := 0; i < 50; i++ { // warm-up
		id := fmt.Sprintf("0190c1a2-0000-7000-a%03d-%012d", conc, i)
		req, _ := http.NewRequest("PUT", f.srv.URL+"/api/v1/observations/"+id, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	var ms runtime.MemStats
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				save(i)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "saves/s")
	b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
	// CPU time of the whole process (server and Go client) per save: unlike saves/s it
	// hardly depends on what else the machine runs, so before/after compare fairly.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/save")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
