package pgstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/postpress/postpress-go/invsync"
	"github.com/postpress/postpress-go/invsync/pgstore"
)

// schemaState lists the schema's tables and meta rows, to show that a
// refused Open changed nothing.
func schemaState(t *testing.T, c *pgx.Conn, schema string) string {
	t.Helper()
	rows, err := c.Query(context.Background(), `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	state := strings.Join(names, ",")
	if slices.Contains(names, "meta") {
		rows, err := c.Query(context.Background(), `SELECT key || '=' || value FROM `+pgx.Identifier{schema, "meta"}.Sanitize()+` ORDER BY 1`)
		if err == nil {
			kv, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			state += " " + strings.Join(kv, ",")
		}
	}
	return state
}

func TestSchemaIsCreatedAndVersioned(t *testing.T) {
	schema := newSchema(t)
	c := conn(t)
	_ = open(t, schema, pgstore.Options{})
	want := "accounts,accounts_pkey,meta,meta_pkey,seen,seen_pkey format=" + pgstore.Format + ",version=1"
	if got := schemaState(t, c, schema); got != want {
		t.Fatalf("schema after the first Open:\n got %s\nwant %s", got, want)
	}
	_ = open(t, schema, pgstore.Options{})
	if got := schemaState(t, c, schema); got != want {
		t.Fatalf("schema after a second Open: %s", got)
	}
}

// A schema of another program (its meta table of other columns, or of
// other types), another format, a newer version or version 0 (which no
// state has: the migration to version 1 writes its meta rows) is refused,
// named, and left as it was.
func TestForeignOrNewerSchemaIsRefusedAndKept(t *testing.T) {
	ctx := context.Background()
	c := conn(t)
	cases := map[string]string{
		"other program": `CREATE TABLE $S.users (id int)`,
		"other meta":    `CREATE TABLE $S.meta (k int, v int)`,
		"int key":       `CREATE TABLE $S.meta (key int, value text)`,
		"json key":      `CREATE TABLE $S.meta (key json, value text)`,
		"int value":     `CREATE TABLE $S.meta (key text, value int); INSERT INTO $S.meta VALUES ('format', 1), ('version', 1)`,
		"version 0":     `CREATE TABLE $S.meta (key text PRIMARY KEY, value text); INSERT INTO $S.meta VALUES ('format', '` + pgstore.Format + `'), ('version', '0')`,
		"other format":  `CREATE TABLE $S.meta (key text PRIMARY KEY, value text); INSERT INTO $S.meta VALUES ('format', 'someone else'), ('version', '1')`,
		"newer":         `CREATE TABLE $S.meta (key text PRIMARY KEY, value text); INSERT INTO $S.meta VALUES ('format', '` + pgstore.Format + `'), ('version', '2')`,
	}
	for name, ddl := range cases {
		t.Run(name, func(t *testing.T) {
			schema := newSchema(t)
			q := pgx.Identifier{schema}.Sanitize()
			if _, err := c.Exec(ctx, `CREATE SCHEMA `+q+`; `+strings.ReplaceAll(ddl, "$S", q)); err != nil {
				t.Fatal(err)
			}
			before := schemaState(t, c, schema)
			_, err := pgstore.Open(ctx, pgURL(t), pgstore.Options{Schema: schema})
			if !errors.Is(err, invsync.ErrInvalidState) || !strings.Contains(err.Error(), schema) || !strings.Contains(err.Error(), "left unchanged") {
				t.Fatalf("Open: %v, want ErrInvalidState naming the schema", err)
			}
			if name == "newer" && !strings.Contains(err.Error(), "newer") {
				t.Errorf("the error does not say the schema is newer: %v", err)
			}
			if after := schemaState(t, c, schema); after != before {
				t.Errorf("the schema was changed:\nbefore %s\n after %s", before, after)
			}
		})
	}
}

// A migration cut off half-way (its connection killed between two
// statements) leaves nothing, and the next Open makes the schema whole.
func TestInterruptedMigrationStartsAfresh(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	pgstore.SetAfterStep(func(ctx context.Context, tx pgx.Tx, step int) error {
		if step == 3 {
			_, err := tx.Exec(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
			return err
		}
		return nil
	})
	_, err := pgstore.Open(ctx, pgURL(t), pgstore.Options{Schema: schema})
	pgstore.SetAfterStep(nil)
	if err == nil {
		t.Fatal("Open succeeded with its connection killed during the migration")
	}
	if strings.Contains(err.Error(), "runtime error") || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("the error shows Go runtime text: %v", err)
	}
	c := conn(t)
	if got := schemaState(t, c, schema); got != "" {
		t.Fatalf("the interrupted migration left %q", got)
	}
	s := open(t, schema, pgstore.Options{})
	if err := s.Commit(ctx, []invsync.Change{{AccountID: "a", Added: []string{"1"}}}); err != nil {
		t.Fatal(err)
	}
	if got := schemaState(t, c, schema); !strings.HasSuffix(got, "version=1") {
		t.Errorf("schema after the second Open: %s", got)
	}
}

// Opening a state already at SchemaVersion writes nothing to its meta
// table: its rows keep the transaction that wrote them.
func TestOpeningACurrentSchemaLeavesMetaAlone(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	c := conn(t)
	_ = open(t, schema, pgstore.Options{})
	writers := func() string {
		t.Helper()
		var s string
		if err := c.QueryRow(ctx, `SELECT string_agg(key || ' by ' || xmin::text, ', ' ORDER BY key) FROM `+pgx.Identifier{schema, "meta"}.Sanitize()).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := writers()
	_ = open(t, schema, pgstore.Options{})
	if after := writers(); after != before {
		t.Errorf("the second Open rewrote meta: its rows were written %s, now %s", before, after)
	}
}
