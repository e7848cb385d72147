package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestSpreadsheetWritesEveryRowAReaderKeeps(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]string
		file string
	}{
		{"a row of one empty cell stays a row", [][]string{{"a", "b"}, {""}, {"c"}}, "a,b\n\"\"\nc\n"},
		{"a row of no cells separates two tables", [][]string{{"a"}, {}, {"b"}}, "a\n\nb\n"},
		{"a cell that starts a formula is quoted as text", [][]string{{"=1+1", "-5", ""}}, "'=1+1,'-5,\n"},
		{"a cell with a comma, quote or line break is quoted", [][]string{{"a,b", "say \"hi\"", "x\ny"}}, "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s spreadsheet
			for _, r := range tc.rows {
				s.row(r...)
			}
			rec := httptest.NewRecorder()
			if err := s.send(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), "x.csv"); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.String(); got != tc.file {
				t.Fatalf("wrote %q, want %q", got, tc.file)
			}
		})
	}
}
