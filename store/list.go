package store

import (
	"context"
	"database/sql"
)

// rowScanner is a row to scan: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// querier runs a read: the reader pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// list runs query and scans each of its rows with scan, in order: the loop
// every list of the store shares, with the rows closed, their error
// checked and every error named op. A list with no rows is nil.
func list[T any](ctx context.Context, q querier, op string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := each(ctx, q, op, func(rows *sql.Rows) error {
		v, err := scan(rows)
		out = append(out, v)
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// each runs query and calls fn with each of its rows, in order, until fn
// fails: list's loop for the answers that are no list (a map, a sum).
func each(ctx context.Context, q querier, op string, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return wrap(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return wrap(op, err)
		}
	}
	return wrap(op, rows.Err())
}
