// Command gen-who-tables regenerates growth/data/who2006_lms.csv from the WHO 2006
// Child Growth Standards LMS tables shipped by the npm package jsgrowup.
//
// Run from the repository root (needs Go and npm; the npm registry must be reachable):
//
//	go run ./tools/gen-who-tables            # writes growth/data/who2006_lms.csv
//	go run ./tools/gen-who-tables -o FILE    # writes elsewhere
//	go run ./tools/gen-who-tables -from DIR  # reuse an unpacked jsgrowup/tables folder
//
// npm installs into a temporary folder that is removed afterwards, so no node_modules
// is ever left in the work tree. Only the WHO tables are read, never the CDC ones.
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// jsgrowupVersion is pinned so that a regeneration is reproducible.
const jsgrowupVersion = "0.8.0"

// source is one jsgrowup JSON table and how it lands in the CSV.
type source struct {
	file      string // file name under jsgrowup/tables, with {sex} for boys|girls
	indicator string // wfa, lfa (length 0–24 mo), hfa (height 24–60 mo), wfl, wfh
	xKey      string // JSON key of the row's x value
	xUnit     string // week, month or cm
}

// sources: the weekly rows (0–13 weeks) sharpen the steep newborn weeks; lhfa is
// split at 24 months because WHO's curve changes from length to height there.
var sources = []source{
	{"wfa_{sex}_0_13_zscores.json", "wfa", "Week", "week"},
	{"wfa_{sex}_0_5_zscores.json", "wfa", "Month", "month"},
	{"lhfa_{sex}_0_13_zscores.json", "lfa", "Week", "week"},
	{"lhfa_{sex}_0_2_zscores.json", "lfa", "Month", "month"},
	{"lhfa_{sex}_2_5_zscores.json", "hfa", "Month", "month"},
	{"wfl_{sex}_0_2_zscores.json", "wfl", "Length", "cm"},
	{"wfh_{sex}_2_5_zscores.json", "wfh", "Height", "cm"},
}

func main() {
	out := flag.String("o", "growth/data/who2006_lms.csv", "CSV file to write")
	from := flag.String("from", "", "read tables from this jsgrowup/tables folder instead of running npm")
	flag.Parse()
	if err := run(*out, *from); err != nil {
		fmt.Fprintln(os.Stderr, "gen-who-tables:", err)
		os.Exit(1)
	}
}

func run(out, from string) error {
	dir := from
	if dir == "" {
		tmp, err := os.MkdirTemp("", "gen-who-tables-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if dir, err = installJsgrowup(tmp); err != nil {
			return err
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := writeCSV(f, dir); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// installJsgrowup runs npm into tmp and returns the tables folder.
func installJsgrowup(tmp string) (string, error) {
	cmd := exec.Command("npm", "install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts",
		"--prefix", tmp, "jsgrowup@"+jsgrowupVersion)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm install jsgrowup@%s: %w", jsgrowupVersion, err)
	}
	return filepath.Join(tmp, "node_modules", "jsgrowup", "tables"), nil
}

// writeCSV converts every source table for both sexes, keeping the numbers' text as
// published so no precision is lost or invented.
func writeCSV(w io.Writer, dir string) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"indicator", "sex", "x", "x_unit", "L", "M", "S"})
	for _, src := range sources {
		for _, sex := range []struct{ file, name string }{{"boys", "male"}, {"girls", "female"}} {
			rows, err := readTable(filepath.Join(dir, strings.ReplaceAll(src.file, "{sex}", sex.file)))
			if err != nil {
				return err
			}
			for _, r := range rows {
				cw.Write([]string{src.indicator, sex.name, r[src.xKey], src.xUnit, r["L"], r["M"], r["S"]})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// readTable decodes a jsgrowup table: an array of objects whose values are strings.
func readTable(path string) ([]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []map[string]string
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, r := range rows {
		for _, k := range []string{"L", "M", "S"} {
			if r[k] == "" {
				return nil, fmt.Errorf("%s: row %d has no %s", path, i, k)
			}
		}
	}
	return rows, nil
}
