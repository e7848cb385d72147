package store_test

import (
	"testing"

	"confidant/store"
	"confidant/store/storetest"
)

// TestEveryBlobColumnIsDeclared applies the migrations and reads every
// table's columns: a BLOB column is either declared sealed or declared
// unsealed with a reason, and every declared column exists. A new column that
// holds personal data cannot be added without saying how it is protected.
func TestEveryBlobColumnIsDeclared(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	rows, err := openRaw(t, db).Query(`SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns := map[string]string{}
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			t.Fatal(err)
		}
		columns[table+"."+column] = typ
	}
	sealed := map[string]bool{}
	for _, c := range store.SealedColumns() {
		if sealed[c] {
			t.Errorf("%s is declared sealed twice", c)
		}
		sealed[c] = true
	}
	unsealed := store.UnsealedBlobs()
	for c, typ := range columns {
		if typ != "BLOB" {
			continue
		}
		if !sealed[c] && unsealed[c] == "" {
			t.Errorf("BLOB column %s is declared neither sealed nor unsealed with a reason", c)
		}
	}
	for c := range sealed {
		if typ, ok := columns[c]; !ok || typ != "BLOB" {
			t.Errorf("declared sealed column %s is not a BLOB column of the schema (%q)", c, typ)
		}
		if unsealed[c] != "" {
			t.Errorf("%s is declared both sealed and unsealed", c)
		}
	}
	for c := range unsealed {
		if columns[c] != "BLOB" {
			t.Errorf("declared unsealed BLOB %s is not a BLOB column of the schema", c)
		}
	}
}
