package web

import (
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// Whatever a theme, region, label or title holds, the office's CSV writer
// sends a file that encoding/csv reads back row for row and cell for cell as
// written, except that no cell starts a formula: a cell that begins with =,
// +, -, @, a tab or a carriage return comes back with a single quote in
// front, and nothing else changes (encoding/csv reads a line break written
// as \r\n inside a cell as \n). The blank row that separates two tables is
// the one row a reader skips; a row of one empty cell stays a row.
func FuzzSpreadsheetWriter(f *testing.F) {
	for _, s := range [][3]string{
		{"=HYPERLINK(\"http://x\",\"klick\")", "+1", "-5"},
		{"@SUM(A1)", "\tx", "\rx"},
		{"plain", "", "a,b"},
		{"say \"hi\"", "line\nbreak", "'quoted"},
		{"", "", ""},
		{"\r\n", "\n", "\"\""},
		{" spaced ", "=1+1", "#comment"},
		{"\xff\xfe", "ü,ß", "\\."},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var s spreadsheet
		rows := [][]string{{"# " + a}, {a, b, c}, {}, {c}, {b, a}}
		for _, r := range rows {
			s.row(r...)
		}
		rec := httptest.NewRecorder()
		ctx := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
		if err := s.send(ctx, "report.csv"); err != nil {
			t.Fatalf("writing %q: %v", rows, err)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("sent as %q", ct)
		}
		r := csv.NewReader(strings.NewReader(rec.Body.String()))
		r.FieldsPerRecord = -1
		got, err := r.ReadAll()
		if err != nil {
			t.Fatalf("reading back %q: %v", rec.Body.String(), err)
		}
		var want [][]string
		for _, row := range rows {
			if len(row) == 0 {
				continue
			}
			cells := make([]string, len(row))
			for i, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					cell = "'" + cell
				}
				cells[i] = strings.ReplaceAll(cell, "\r\n", "\n")
			}
			want = append(want, cells)
		}
		if len(got) != len(want) {
			t.Fatalf("wrote %d rows, read %d:\n%q\n%q", len(want), len(got), want, got)
		}
		for i := range want {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("row %d: wrote %q, read %q", i, want[i], got[i])
			}
			for j := range want[i] {
				if got[i][j] != want[i][j] {
					t.Fatalf("row %d cell %d: wrote %q, read %q", i, j, want[i][j], got[i][j])
				}
				if g := got[i][j]; g != "" && strings.ContainsRune("=+-@\t\r", rune(g[0])) {
					t.Fatalf("row %d cell %d starts a formula: %q", i, j, g)
				}
			}
		}
	})
}
