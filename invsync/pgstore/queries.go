package pgstore

import "strings"

// queries are the statements over the state's tables, with the schema
// filled in.
type queries struct {
	seen, lockHeld, forget, record        string
	register, claim, held, renew, release string
	releaseAll                            string
}

func newQueries(schema string) queries {
	r := strings.NewReplacer("$S.", schema+".")
	return queries{
		seen: r.Replace(`SELECT id FROM $S.seen WHERE account = $1`),
		// Locks the rows of the accounts this worker holds, so that no
		// other worker claims one during the commit.
		lockHeld: r.Replace(`SELECT account FROM $S.accounts WHERE account = ANY($1) AND lease_owner = $2 FOR UPDATE`),
		forget:   r.Replace(`DELETE FROM $S.seen s USING unnest($1::text[], $2::text[]) AS r(account, id) WHERE s.account = r.account AND s.id = r.id`),
		record:   r.Replace(`INSERT INTO $S.seen (account, id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`),
		register: r.Replace(`INSERT INTO $S.accounts (account) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`),
		// $1 round, $2 released by this worker this round, $3 round start,
		// $4 how many, $5 this worker, $6 lease time.
		claim: r.Replace(`WITH c AS (
	SELECT account FROM $S.accounts
	WHERE account = ANY($1) AND NOT account = ANY($2)
	  AND (completed_at IS NULL OR completed_at < $3)
	  AND (lease_owner IS NULL OR lease_until < now())
	ORDER BY account LIMIT $4
	FOR UPDATE SKIP LOCKED)
UPDATE $S.accounts a SET lease_owner = $5, lease_until = now() + $6::interval
FROM c WHERE a.account = c.account
RETURNING a.account`),
		held: r.Replace(`SELECT count(*) FROM $S.accounts
WHERE account = ANY($1) AND NOT account = ANY($2)
  AND (completed_at IS NULL OR completed_at < $3)
  AND lease_owner IS NOT NULL AND lease_owner <> $4 AND lease_until >= now()`),
		renew: r.Replace(`UPDATE $S.accounts SET lease_until = now() + $3::interval
WHERE account = ANY($1) AND lease_owner = $2 RETURNING account`),
		release: r.Replace(`UPDATE $S.accounts
SET lease_owner = NULL, lease_until = NULL,
    completed_at = CASE WHEN account = ANY($2) THEN now() ELSE completed_at END
WHERE account = ANY($1) AND lease_owner = $3`),
		releaseAll: r.Replace(`UPDATE $S.accounts SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`),
	}
}

// upsertTable and removeTable keep Options.Table (%s, quoted).
const (
	upsertTable = `INSERT INTO %s (account_id, invitation_id, invitation)
SELECT a, i, j::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS r(a, i, j)
ON CONFLICT (account_id, invitation_id) DO UPDATE
SET invitation = EXCLUDED.invitation, seen_at = now(), removed_at = NULL`
	removeTable = `UPDATE %s t SET removed_at = now()
FROM unnest($1::text[], $2::text[]) AS r(a, i)
WHERE t.account_id = r.a AND t.invitation_id = r.i AND t.removed_at IS NULL`
	createTable = `CREATE TABLE IF NOT EXISTS %s (
	account_id    text        NOT NULL,
	invitation_id text        NOT NULL,
	invitation    jsonb       NOT NULL,
	seen_at       timestamptz NOT NULL DEFAULT now(),
	removed_at    timestamptz,
	PRIMARY KEY (account_id, invitation_id))`
	checkTable = `SELECT account_id::text, invitation_id::text, invitation::jsonb, seen_at::timestamptz, removed_at::timestamptz FROM %s LIMIT 0`
)
