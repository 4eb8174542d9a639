// Package backuptest seeds Flowise-shaped databases and compares them row by row, for the
// backup tests of several packages.
package backuptest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/pgtest"
)

// Tables are the seeded tables, compared by Digest.
var Tables = []string{"chat_flow", "chat_message", "credential", "document_store", "migrations"}

// SeedFlowise fills an empty database the way Flowise's TypeORM migrations shape it: uuid-ossp
// defaults, timestamps, JSON text, a migrations table, messages rows of chat messages and one
// document with a blobBytes random (incompressible) bytea.
func SeedFlowise(t testing.TB, conn *pgx.Conn, messages, blobBytes int) {
	t.Helper()
	ctx := context.Background()
	_, err := conn.Exec(ctx, `
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE TABLE migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL);
CREATE TABLE chat_flow (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name varchar NOT NULL, "flowData" text NOT NULL,
  deployed boolean, "isPublic" boolean, "createdDate" timestamp NOT NULL DEFAULT now(), "updatedDate" timestamp NOT NULL DEFAULT now());
CREATE TABLE chat_message (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), role varchar NOT NULL,
  chatflowid uuid NOT NULL REFERENCES chat_flow(id) ON DELETE CASCADE, content text NOT NULL,
  "sourceDocuments" text, "createdDate" timestamp NOT NULL DEFAULT now());
CREATE INDEX "IDX_chat_message_chatflowid" ON chat_message (chatflowid);
CREATE TABLE credential (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name varchar NOT NULL, "credentialName" varchar NOT NULL,
  "encryptedData" text NOT NULL, "createdDate" timestamp NOT NULL DEFAULT now());
CREATE TABLE document_store (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), name varchar NOT NULL, loaders text, blob bytea);
INSERT INTO migrations ("timestamp", name) SELECT 1693891895163 + i, 'Init' || i FROM generate_series(1, 40) i;
INSERT INTO chat_flow (name, "flowData", deployed, "isPublic")
  SELECT 'flow ' || i, json_build_object('nodes', json_build_array(i, md5(i::text)), 'edges', '[]'::json)::text, i % 2 = 0, i % 3 = 0
  FROM generate_series(1, 20) i;
INSERT INTO credential (name, "credentialName", "encryptedData")
  SELECT 'cred ' || i, 'openAIApi', encode(sha256(i::text::bytea), 'base64') FROM generate_series(1, 10) i;`)
	if err != nil {
		t.Fatalf("seed schema: %v", err)
	}
	if _, err := conn.Exec(ctx, `
INSERT INTO chat_message (role, chatflowid, content, "sourceDocuments")
  SELECT CASE WHEN i % 2 = 0 THEN 'userMessage' ELSE 'apiMessage' END,
         (SELECT id FROM chat_flow ORDER BY name OFFSET (i % 20) LIMIT 1),
         'message ' || i || ' ' || repeat(md5(i::text), 1 + i % 7), CASE WHEN i % 5 = 0 THEN '[{"pageContent":"x"}]' END
  FROM generate_series(1, $1::int) i`, messages); err != nil {
		t.Fatalf("seed messages: %v", err)
	}
	// Random bytes from the server keep the bytea incompressible without sending it over.
	if _, err := conn.Exec(ctx, `
INSERT INTO document_store (name, loaders, blob)
  SELECT 'store', '[]', (SELECT string_agg(decode(md5(random()::text || g::text), 'hex'), ''::bytea) FROM generate_series(1, ($1::int + 15) / 16) g)`, blobBytes); err != nil {
		t.Fatalf("seed blob: %v", err)
	}
}

// Digest returns, per table of Tables, its row count and an md5 of every row's text in order:
// equal digests mean equal rows.
func Digest(t testing.TB, conn *pgx.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range Tables {
		var d string
		err := conn.QueryRow(context.Background(),
			`SELECT count(*) || ':' || coalesce(md5(string_agg(md5(x::text), ',' ORDER BY x::text)), '') FROM `+table+` x`).Scan(&d)
		if err != nil {
			t.Fatalf("digest %s: %v", table, err)
		}
		out[table] = d
	}
	return out
}

// Recreate drops database db of s and creates it again, empty.
func Recreate(t testing.TB, s *pgtest.Server, db string) {
	t.Helper()
	admin := s.Connect(t, "postgres")
	defer admin.Close(context.Background())
	for _, stmt := range []string{"DROP DATABASE " + db + " WITH (FORCE)", "CREATE DATABASE " + db} {
		if _, err := admin.Exec(context.Background(), stmt); err != nil {
			t.Fatalf("recreate database %s: %v", db, err)
		}
	}
}

// SeedLarge fills an empty database with about mb megabytes: three quarters chat-message-like
// text rows (hex text, which pg_dump's compression halves), one quarter random bytea in 1 MiB
// rows (incompressible).
func SeedLarge(t testing.TB, conn *pgx.Conn, mb int) {
	t.Helper()
	ctx := context.Background()
	textRows := mb * 3 / 4 * 1024 * 1024 / 640 // ~640 bytes per row with its header
	blobRows := max(1, mb/4)
	// 18 different md5s per row: hex text that compresses about as much as real text.
	var content []string
	for k := 1; k <= 18; k++ {
		content = append(content, fmt.Sprintf("md5((g * %d)::text)", k))
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TABLE chat_message (id bigint PRIMARY KEY, role text NOT NULL, content text NOT NULL, "createdDate" timestamptz NOT NULL DEFAULT now())`, nil},
		{`INSERT INTO chat_message SELECT g, CASE WHEN g % 2 = 0 THEN 'userMessage' ELSE 'apiMessage' END, ` + strings.Join(content, " || ") + ` FROM generate_series(1, $1::int) g`, []any{textRows}},
		{`CREATE TABLE document_blob (id int PRIMARY KEY, blob bytea NOT NULL)`, nil},
		{`INSERT INTO document_blob SELECT b, (SELECT string_agg(decode(md5(random()::text || g::text), 'hex'), ''::bytea) FROM generate_series(1, 65536) g WHERE b > 0) FROM generate_series(1, $1::int) b`, []any{blobRows}},
	} {
		if _, err := conn.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("seed large database: %v", err)
		}
	}
}
