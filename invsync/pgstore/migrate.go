package pgstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/postpress/postpress-go/invsync"
)

// migrations[v] takes the schema from version v to v+1 ($S is the
// schema). They run in the one transaction of Open's migration, so that
// one interrupted half-way leaves the schema as it was.
var migrations = [][]string{
	// 0 → 1
	{
		`CREATE SCHEMA IF NOT EXISTS $S`,
		`CREATE TABLE $S.meta (key text PRIMARY KEY, value text NOT NULL)`,
		`CREATE TABLE $S.accounts (
	account      text PRIMARY KEY,
	lease_owner  text,
	lease_until  timestamptz,
	completed_at timestamptz)`,
		`CREATE TABLE $S.seen (
	account text NOT NULL,
	id      text NOT NULL,
	PRIMARY KEY (account, id))`,
		`INSERT INTO $S.meta (key, value) VALUES ('format', '` + Format + `'), ('version', '0')`,
	},
}

// lockSchema takes the transaction's advisory lock on schema $1: Open's
// changes to the schema (and to Options.Table) happen one worker at a time.
const lockSchema = `SELECT pg_advisory_xact_lock(hashtextextended('postpress-invsync:' || $1, 0))`

// afterStep, when set (by tests), runs after each statement of a migration.
var afterStep func(ctx context.Context, tx pgx.Tx, step int) error

// migrate creates the schema, or upgrades it to SchemaVersion, in one
// transaction under an advisory lock (workers opening at once wait for the
// first); a foreign or newer schema is refused and left as it is.
func (s *Store) migrate(ctx context.Context) error {
	quoted := pgx.Identifier{s.schema}.Sanitize()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockSchema, s.schema); err != nil {
			return err
		}
		version, err := s.version(ctx, tx)
		if err != nil {
			return err
		}
		if version > SchemaVersion {
			return s.invalid(fmt.Sprintf("its schema version is %d, newer than this program's %d: upgrade postpress, or pass another schema", version, SchemaVersion))
		}
		step := 0
		for v := version; v < SchemaVersion; v++ {
			for _, stmt := range migrations[v] {
				if _, err := tx.Exec(ctx, strings.ReplaceAll(stmt, "$S", quoted)); err != nil {
					return err
				}
				step++
				if afterStep != nil {
					if err := afterStep(ctx, tx, step); err != nil {
						return err
					}
				}
			}
		}
		if version < SchemaVersion {
			_, err = tx.Exec(ctx, `UPDATE `+quoted+`.meta SET value = $1 WHERE key = 'version'`, strconv.Itoa(SchemaVersion))
		}
		return err
	})
	if err != nil {
		return s.fail("open the state's schema "+s.schema, err)
	}
	return nil
}

// version returns the schema's version: 0 when it does not exist or holds
// nothing; an ErrInvalidState error when it holds another program's tables
// (a meta table without text columns key and value, or without our rows)
// or a state of another format.
func (s *Store) version(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1`, s.schema)
	if err != nil {
		return 0, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	if len(tables) == 0 {
		return 0, nil
	}
	if !slices.Contains(tables, "meta") {
		return 0, s.invalid(fmt.Sprintf("it holds tables of another program (%s)", strings.Join(tables, ", ")))
	}
	meta := pgx.Identifier{s.schema, "meta"}.Sanitize()
	// Ours has the text columns key and value.
	var textColumns int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_attribute
WHERE attrelid = $1::regclass AND attname IN ('key', 'value') AND atttypid = 'text'::regtype AND NOT attisdropped`, meta).Scan(&textColumns); err != nil {
		return 0, err
	}
	if textColumns != 2 {
		return 0, s.invalid("its meta table is another program's")
	}
	var format, version string
	err = tx.QueryRow(ctx, `SELECT
	(SELECT value FROM `+meta+` WHERE key = 'format'),
	(SELECT value FROM `+meta+` WHERE key = 'version')`).Scan(&format, &version)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		// NULLs scan into strings as an error: a meta table without
		// our rows.
		if strings.Contains(err.Error(), "NULL") {
			return 0, s.invalid("its meta table is another program's")
		}
		return 0, err
	}
	if format != Format {
		return 0, s.invalid(fmt.Sprintf("format %q, this program writes %q", format, Format))
	}
	// Version 0 is an empty schema, never a meta table: the migration to
	// version 1 writes its meta rows and their version in one transaction.
	v, err := strconv.Atoi(version)
	if err != nil || v < 1 {
		return 0, s.invalid(fmt.Sprintf("schema version %q", version))
	}
	return v, nil
}

func (s *Store) invalid(why string) error {
	return fmt.Errorf("postpress: state database %s: schema %s: %w (%s); it was left unchanged", s.where, s.schema, invsync.ErrInvalidState, why)
}

// prepareTable creates Options.Table when missing and checks its columns.
func (s *Store) prepareTable(ctx context.Context) error {
	if s.table == "" {
		return nil
	}
	// Under the schema's lock: two CREATE TABLE IF NOT EXISTS at once can
	// both try to create it, and one fails.
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockSchema, s.schema); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(createTable, s.table))
		return err
	})
	if err != nil {
		return s.fail("create table "+s.table, err)
	}
	rows, err := s.pool.Query(ctx, fmt.Sprintf(checkTable, s.table))
	if err == nil {
		rows.Close()
		err = rows.Err()
	}
	if err != nil {
		return fmt.Errorf("postpress: state database %s: table %s is not an invitations table (account_id, invitation_id, invitation jsonb, seen_at, removed_at; see pgstore's doc): %v", s.where, s.table, errText(err))
	}
	// A table with the columns needs the primary key for the upsert.
	var ok bool
	err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = $1::regclass AND i.indisunique
	AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) = ARRAY['account_id', 'invitation_id'])`, s.table).Scan(&ok)
	if err != nil {
		return s.fail("check table "+s.table, err)
	}
	if !ok {
		return fmt.Errorf("postpress: state database %s: table %s has no unique key on (account_id, invitation_id), which the upsert needs", s.where, s.table)
	}
	return nil
}
