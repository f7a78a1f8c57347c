import type { Dialect } from './sql.js';

/**
 * The registry's schema, one migration per step, applied in order by both stores. A migration is the same
 * SQL for both databases; `{{id}}` stands for the one column type they spell differently (an
 * auto-incrementing key), and `triggers` carries what each spells its own way (the audit log refusing
 * updates and deletes). A migration, once released, is never edited: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  triggers?: Record<Dialect, string>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'partners, keys, tokens, versions, releases, audit',
    sql: `
CREATE TABLE partners (
  id TEXT PRIMARY KEY,
  name TEXT,
  permissions TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE signing_keys (
  key_id TEXT PRIMARY KEY,
  partner_id TEXT NOT NULL REFERENCES partners(id),
  public_key TEXT NOT NULL,
  app_ids TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  partner_id TEXT REFERENCES partners(id),
  label TEXT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE versions (
  app_id TEXT NOT NULL,
  version TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  partner_id TEXT NOT NULL REFERENCES partners(id),
  key_id TEXT NOT NULL,
  manifest TEXT NOT NULL,
  descriptor TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  reviewer TEXT,
  conformance TEXT,
  created_at BIGINT NOT NULL,
  reviewed_at BIGINT,
  yanked_at BIGINT,
  PRIMARY KEY (app_id, version)
);
CREATE INDEX versions_sha256 ON versions (sha256);
CREATE TABLE releases (
  id {{id}},
  app_id TEXT NOT NULL,
  version TEXT NOT NULL,
  channel TEXT NOT NULL,
  rollout INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  FOREIGN KEY (app_id, version) REFERENCES versions (app_id, version)
);
CREATE INDEX releases_channel ON releases (app_id, channel, id);
CREATE TABLE audit (
  seq {{id}},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT
);
`,
    triggers: {
      sqlite: `
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
      postgres: `
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
`,
    },
  },
];

const ID_COLUMN: Record<Dialect, string> = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' };

/** A migration's statements for one database. */
export function migrationSql(m: Migration, dialect: Dialect): string {
  return m.sql.replaceAll('{{id}}', ID_COLUMN[dialect]) + (m.triggers?.[dialect] ?? '');
}
