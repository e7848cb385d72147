package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"

	"confidant/counselling"

	"github.com/labstack/echo/v4"
)

// spreadsheet is the one way the office writes a CSV file: every cell passes
// through counselling.SpreadsheetCell, so that no value (a theme or region
// name, a label, a number) can become a live formula when the file is opened.
type spreadsheet struct {
	buf bytes.Buffer
	w   *csv.Writer
	err error
}

// row writes one line of cells; a row of no cells is a blank line, which
// separates two tables.
func (s *spreadsheet) row(cells ...string) {
	if s.w == nil {
		s.w = csv.NewWriter(&s.buf)
	}
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = counselling.SpreadsheetCell(c)
	}
	if len(safe) == 1 && safe[0] == "" {
		// encoding/csv writes a row of one empty cell as a blank line, which
		// readers skip as no row at all; quoted, the cell stays a row.
		s.w.Flush()
		s.buf.WriteString("\"\"\n")
		return
	}
	if err := s.w.Write(safe); err != nil && s.err == nil {
		s.err = err
	}
}

// send answers with the file as a download named name.
func (s *spreadsheet) send(c echo.Context, name string) error {
	if s.w != nil {
		s.w.Flush()
		if err := s.w.Error(); err != nil && s.err == nil {
			s.err = err
		}
	}
	if s.err != nil {
		return fmt.Errorf("write %s: %w", name, s.err)
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", s.buf.Bytes())
}
