//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"mesh/export"
)

// -o naming a named pipe (or a device such as /dev/null) writes into it: renaming the
// finished file over it, as a regular file is replaced, would swap the pipe or device
// for a plain file for every program on the machine.
func TestExportIntoNamedPipe(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "demo", "--db", dsn); st != 0 {
		t.Fatalf("demo: %d %s", st, stderr)
	}
	fifo := filepath.Join(t.TempDir(), "rows")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here: ", err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // opens once the writer does, reads to its end
		got <- b
	}()
	if st, _, stderr := runCLI(t, "", "export", "visits", "--db", dsn, "-o", fifo); st != 0 {
		t.Fatalf("export: %d %s", st, stderr)
	}
	st, err := os.Lstat(fifo)
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is no longer a named pipe: %v %v", fifo, st.Mode(), err)
	}
	b := <-got
	if !bytes.HasPrefix(b, []byte(export.BOM)) || bytes.Count(b, []byte("\n")) < 10 {
		t.Fatalf("read %d bytes from the pipe: %.100q", len(b), b)
	}
}
