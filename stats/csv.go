package stats

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// ReadCSV reads a CSV file with a header row and returns its rows, keeping only the
// outcome, group and fixed columns. It checks that every column exists, that outcome
// and fixed values are numbers and group labels are present; errors name the column
// and the line (the header is line 1).
func ReadCSV(r io.Reader, outcome, group string, fixed []string) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, invalid("file", "empty: no header row")
	} else if err != nil {
		return nil, invalid("file", "%v", err)
	}
	names := append([]string{group, outcome}, fixed...)
	cols, err := columnIndex(header, names)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, invalid("file", "%v", err)
		}
		row, err := readRow(rec, names, cols, line)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// columnIndex finds each wanted column in the header.
func columnIndex(header, names []string) (map[string]int, error) {
	at := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) // spreadsheets write a BOM
		if _, dup := at[h]; !dup {
			at[h] = i
		}
	}
	cols := map[string]int{}
	for _, c := range names {
		i, ok := at[c]
		if !ok {
			return nil, invalid(c, "no column %q in the header (columns: %s)", c, strings.Join(header, ", "))
		}
		cols[c] = i
	}
	return cols, nil
}

// readRow picks the wanted cells of one record and checks them in the order named:
// the group label first, then the numeric outcome and fixed columns.
func readRow(rec []string, names []string, cols map[string]int, line int) (Row, error) {
	row := Row{}
	for _, c := range names {
		row[c] = strings.TrimSpace(rec[cols[c]])
	}
	if row[names[0]] == "" {
		return nil, invalid(names[0], "line %d: missing group label", line)
	}
	for _, c := range names[1:] {
		if _, err := parseNumber(row, c); err != nil {
			return nil, invalid(c, "line %d: %v", line, err)
		}
	}
	return row, nil
}
