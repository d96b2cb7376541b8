package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"mesh/sqlstore/sqlstoretest"
)

// TestMain lets the test binary act as the mesh program when re-executed with
// MESH_RUN_AS_MAIN=1, so end-to-end tests run the real main() without a go build.
func TestMain(m *testing.M) {
	if os.Getenv("MESH_RUN_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runCLI runs a command in-process and returns its status and outputs.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	return run(env, args), out.String(), errb.String()
}

// meshProcess is the real program started on port 0.
type meshProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

// startMesh starts `mesh serve` on 127.0.0.1:0 and waits for its address.
func startMesh(t *testing.T, args ...string) *meshProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "MESH_RUN_AS_MAIN=1", "MESH_LANG=en") // its "serving on" line is read below
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &meshProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`serving on (http://[0-9.:]+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.stderr.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("mesh serve did not start: %s", p.stderr)
	}
	return p
}

func (p *meshProcess) get(t *testing.T, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (p *meshProcess) token(t *testing.T, user, password string) string {
	t.Helper()
	resp, err := http.Post(p.url+"/api/v1/auth/token", "application/json",
		strings.NewReader(`{"username":"`+user+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.Token == "" {
		t.Fatalf("login %s: status %d", user, resp.StatusCode)
	}
	return body.Token
}

// TestEndToEnd starts the real program with a temporary database and demo data, uses
// it as a mentor would, and stops it with SIGTERM.
func TestEndToEnd(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			p := startMesh(t, "--db", sqlstoretest.DSN(t, d), "--demo")
			if st, body := p.get(t, "/healthz", ""); st != 200 || body != "ok" {
				t.Fatalf("healthz %d %q", st, body)
			}
			if st, _ := p.get(t, "/api/v1/orgunits", ""); st != 401 {
				t.Fatalf("anonymous API status %d, want 401", st)
			}
			tok := p.token(t, "mentor.kayonza", "mesh-demo-2026")
			st, body := p.get(t, "/api/v1/orgunits?type=facility", tok)
			var list []map[string]any
			if st != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 8 {
				t.Fatalf("mentor facilities: status %d, %d items", st, len(list))
			}
			if st, body := p.get(t, "/", ""); st != 200 || !strings.Contains(body, "<html") {
				t.Fatalf("web root status %d", st)
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("no graceful shutdown within 20 s")
			}
		})
	}
}

func TestServeRefusesNewerSchema(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "m.db")
	if st, _, errs := runCLI(t, "", "migrate", "--db", dsn); st != 0 {
		t.Fatalf("migrate: %d %s", st, errs)
	}
	db, err := openDB(context.Background(), nil, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.ExecForTest(context.Background(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', CURRENT_TIMESTAMP)")
	db.Close()
	st, _, errs := runCLI(t, "", "migrate", "--db", dsn)
	if st != 1 || !strings.Contains(errs, "newer than this program knows") {
		t.Fatalf("migrate on newer schema: status %d, %s", st, errs)
	}
}

func TestCLIUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--help"}, 0},
		{[]string{}, 2},
		{[]string{"nosuch"}, 2},
		{[]string{"serve", "--help"}, 0},
		{[]string{"serve", "--bogus"}, 2},
		{[]string{"migrate", "--help"}, 0},
		{[]string{"demo", "--help"}, 0},
		{[]string{"user", "--help"}, 0},
		{[]string{"user", "add", "--help"}, 0},
		{[]string{"user", "add", "--username", "x"}, 2},
	} {
		if st, _, errs := runCLI(t, "", c.args...); st != c.want {
			t.Errorf("mesh %v: status %d, want %d (%s)", c.args, st, c.want, errs)
		}
	}
}

func TestMigrateStatusAndDemoIdempotent(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "m.db")
	st, out, _ := runCLI(t, "", "migrate", "--db", dsn, "--status")
	if st != 0 || !strings.Contains(out, "pending") {
		t.Fatalf("status before: %d %q", st, out)
	}
	runCLI(t, "", "migrate", "--db", dsn)
	if _, out, _ = runCLI(t, "", "migrate", "--db", dsn, "--status"); !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
		t.Fatalf("status after: %q", out)
	}
	if st, _, errs := runCLI(t, "", "demo", "--db", dsn); st != 0 || !strings.Contains(errs, "mentor.kayonza") {
		t.Fatalf("demo: %d %s", st, errs)
	}
	if st, _, errs := runCLI(t, "", "demo", "--db", dsn); st != 0 || !strings.Contains(errs, "already loaded") {
		t.Fatalf("demo again: %d %s", st, errs)
	}
}

func TestUserAdd(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "m.db")
	st, _, errs := runCLI(t, "a long password\n", "user", "add", "--db", dsn, "--username", "root", "--role", "admin", "--password-stdin")
	if st != 0 {
		t.Fatalf("user add: %d %s", st, errs)
	}
	st, _, errs = runCLI(t, "a long password\n", "user", "add", "--db", dsn, "--username", "root", "--role", "admin", "--password-stdin")
	if st != 2 || !strings.Contains(errs, "taken") {
		t.Fatalf("duplicate user: %d %s", st, errs)
	}
	st, _, errs = runCLI(t, "short\n", "user", "add", "--db", dsn, "--username", "sup", "--role", "boss", "--password-stdin")
	if st != 2 || !strings.Contains(errs, "role") || !strings.Contains(errs, "password") {
		t.Fatalf("bad user: %d %s", st, errs)
	}
}
