package counselling

import "strings"

// SpreadsheetCell makes a value safe to write as a cell of a CSV file that
// someone will open in a spreadsheet. A cell that starts with =, +, -, @, a
// tab or a carriage return is read by spreadsheet programs as a formula (or
// the start of one), so a theme or region named =HYPERLINK(...) would run as
// one. Such a cell gets a leading single quote, which makes it plain text. The
// rule applies to every cell, numbers included, so that a negative number is
// treated like any other value and no cell is trusted for its column.
func SpreadsheetCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
