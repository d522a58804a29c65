package store

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3"

	"pcmt/migrations"
)

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Source  string
	Applied bool
}

func (s *Store) provider() (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, migrations.FS)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("store: migrate up: %w", err)
	}
	return len(res), nil
}

// MigrateDown rolls back the newest applied migration. It reports false when
// none was applied.
func (s *Store) MigrateDown(ctx context.Context) (bool, error) {
	p, err := s.provider()
	if err != nil {
		return false, err
	}
	ver, err := p.GetDBVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("store: migrate down: %w", err)
	}
	if ver == 0 {
		return false, nil
	}
	if _, err := p.Down(ctx); err != nil {
		return false, fmt.Errorf("store: migrate down: %w", err)
	}
	return true, nil
}

// MigrationStatus lists every known migration, oldest first.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationStatus{
			Version: m.Source.Version,
			Source:  m.Source.Path,
			Applied: m.State == goose.StateApplied,
		})
	}
	return out, nil
}

// Pending reports whether some migration is not applied yet.
func (s *Store) Pending(ctx context.Context) (bool, error) {
	p, err := s.provider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: migrations pending: %w", err)
	}
	return pending, nil
}
