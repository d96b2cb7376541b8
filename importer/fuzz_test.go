package importer

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"mesh"
)

// checkRead is what every import file, however broken, must give: a table, or one
// EINVALID (or ETOOLARGE) error whose fields all carry a code and a message that a
// data manager can read; and the rows of a table are each either accepted or named
// by row and column.
func checkRead(t *testing.T, name string, data []byte) {
	tab, err := Read(name, bytes.NewReader(data))
	if err != nil {
		switch mesh.ErrorCode(err) {
		case mesh.EINVALID:
			fields := mesh.ErrorFields(err)
			if len(fields) == 0 {
				t.Fatalf("refusal without fields: %v", err)
			}
			for _, fe := range fields {
				if fe.Code == "" || fe.Field == "" || fe.Message == "" {
					t.Fatalf("incomplete field error %+v", fe)
				}
			}
		case mesh.ETOOLARGE:
		default:
			// excelize reports some broken sheets from GetRows; those must still not be
			// taken for a server fault by the caller, which maps a plain error to 500.
			t.Fatalf("refusal is neither EINVALID nor ETOOLARGE: %v (%s)", err, mesh.ErrorCode(err))
		}
		return
	}
	for _, h := range tab.Header {
		if h != strings.ToLower(strings.TrimSpace(h)) {
			t.Fatalf("header %q not normalized", h)
		}
	}
	checkRows(t, tab)
}

func checkRows(t *testing.T, tab *Table) {
	places, perrs := Places(tab)
	for _, e := range perrs {
		if e.Row < 1 || e.Code == "" || e.Message == "" || !utf8.ValidString(e.Message) {
			t.Fatalf("incomplete place row error %+v", e)
		}
	}
	for _, p := range places {
		if p.Row < 2 || p.Row > len(tab.Rows)+1 {
			t.Fatalf("place row %d outside the file (%d rows)", p.Row, len(tab.Rows))
		}
	}
	workers, werrs := Workers(tab)
	for _, e := range werrs {
		if e.Row < 1 || e.Code == "" || e.Message == "" {
			t.Fatalf("incomplete worker row error %+v", e)
		}
	}
	for _, w := range workers {
		if w.Row < 2 || w.Row > len(tab.Rows)+1 {
			t.Fatalf("worker row %d outside the file (%d rows)", w.Row, len(tab.Rows))
		}
		if w.Worker.FacilityID == 0 && w.FacilityCode == "" && len(werrs) == 0 {
			t.Fatalf("worker row %d accepted without a facility", w.Row)
		}
	}
	if err := Invalid(append(perrs, werrs...)); err != nil && mesh.ErrorCode(err) != mesh.EINVALID {
		t.Fatalf("row errors are not EINVALID: %v", err)
	}
}

var csvSeeds = []string{
	"name,type,parent_code,code\nRwanda,country,,RW\nEast,province,RW,EAST\n",
	"\uFEFFname;type;parent_id;cadence_days\nKayonza;district;2;30\n",
	"name,cadre,facility_code,imci_trained_on,start_on\nAlice,a2,HC1,3-15-24,2024-01-01\nBob,other,,,\n",
	"name,cadre,facility_id\n\"quoted, name\",A1,-4\n,,\n",
	"Name , TYPE ,name\n",
	"name,type\n\"unterminated,country\n",
	"",
	"\n\n\n",
	"name,type,bogus\nx,facility,y\n",
}

// FuzzReadCSV feeds arbitrary bytes to the CSV import (`mesh import places|workers`).
func FuzzReadCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, "file.csv", data) })
}

// xlsxSeed builds a small workbook with rows, as Excel or LibreOffice would save it.
func xlsxSeed(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadXLSX feeds arbitrary bytes, starting from real workbooks, to the XLSX import.
func FuzzReadXLSX(f *testing.F) {
	f.Add(xlsxSeed(f, [][]any{{"name", "type", "parent_code", "code"}, {"Rwanda", "country", "", "RW"}, {"East", "province", "RW", "EAST"}}))
	f.Add(xlsxSeed(f, [][]any{{"name", "cadre", "facility_id", "start_on"}, {"Alice", "A2", 4, "2024-01-01"}, {"Bob", "A1", "x", 45000}}))
	f.Add(xlsxSeed(f, [][]any{{}}))
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, "file.xlsx", data) })
}

// FuzzXLSXCells fuzzes what a workbook holds rather than its zip bytes (which the
// fuzzer rarely mutates into another valid workbook): a header and two rows from the
// fuzzer's strings, a number and a date cell, written with excelize as a user's
// spreadsheet program would, then read and checked as places and workers.
func FuzzXLSXCells(f *testing.F) {
	f.Add("name", "type", "Rwanda", "country", "East;province", 45000.5)
	f.Add("name", "cadre", "Alice", "A2", "x,HC1", -1.0)
	f.Add("NAME ", "facility_id", "\u202eevil", "=1+1", "\x00", 1e300)
	f.Fuzz(func(t *testing.T, h1, h2, c1, c2, row2 string, num float64) {
		x := excelize.NewFile()
		defer x.Close()
		cells := [][]any{{h1, h2, "start_on"}, {c1, c2, num}, strings2any(strings.Split(row2, ","))}
		for i, r := range cells {
			name, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", name, &r); err != nil {
				return // excelize refuses some strings (e.g. too long); nothing to read
			}
		}
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			return
		}
		checkRead(t, "file.xlsx", buf.Bytes())
	})
}

func strings2any(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
