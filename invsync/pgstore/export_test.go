package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// SetAfterStep sets the hook run after each statement of a migration.
func SetAfterStep(f func(ctx context.Context, tx pgx.Tx, step int) error) { afterStep = f }
