package store

import (
	"context"
	"database/sql"
)

// WriteTx runs fn as one write of the group commit, as every exported write
// method does.
func (db *DB) WriteTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.writeTx(ctx, fn)
}
