import { MiniappError } from '../core/errors/index.js';
import { MIGRATIONS, migrationSql } from './migrations.js';
import type { Row, SqlDb, SqlRunner } from './sql.js';
import type { AuditEntry, RegistryStore, StoreTx } from './store.js';
import type { AuditRecord, Channel, Partner, ReleaseRecord, SigningKeyRecord, TokenRecord, VersionRecord } from './types.js';

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const parsed = <T>(v: unknown): T | undefined => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

const toPartner = (r: Row): Partner => ({ id: r.id as string, name: opt(r.name as string), permissions: parsed<string[]>(r.permissions) ?? [], createdAt: r.created_at as number });
const toKey = (r: Row): SigningKeyRecord => ({
  keyId: r.key_id as string,
  partnerId: r.partner_id as string,
  publicKey: r.public_key as string,
  appIds: parsed<string[]>(r.app_ids) ?? [],
  createdAt: r.created_at as number,
  revokedAt: opt(r.revoked_at as number),
});
const toToken = (r: Row): TokenRecord => ({
  id: r.id as string,
  hash: r.hash as string,
  role: r.role as TokenRecord['role'],
  partnerId: opt(r.partner_id as string),
  label: opt(r.label as string),
  createdAt: r.created_at as number,
  revokedAt: opt(r.revoked_at as number),
});
const toVersion = (r: Row): VersionRecord => ({
  appId: r.app_id as string,
  version: r.version as string,
  sha256: r.sha256 as string,
  size: r.size as number,
  partnerId: r.partner_id as string,
  keyId: r.key_id as string,
  manifest: parsed(r.manifest)!,
  descriptor: parsed(r.descriptor)!,
  status: r.status as VersionRecord['status'],
  reason: opt(r.reason as string),
  reviewer: opt(r.reviewer as string),
  conformance: parsed(r.conformance),
  createdAt: r.created_at as number,
  reviewedAt: opt(r.reviewed_at as number),
  yankedAt: opt(r.yanked_at as number),
});
const toRelease = (r: Row): ReleaseRecord => ({
  id: Number(r.id),
  appId: r.app_id as string,
  version: r.version as string,
  channel: r.channel as Channel,
  rollout: Number(r.rollout),
  state: r.state as ReleaseRecord['state'],
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
});
const toAudit = (r: Row): AuditRecord => ({ seq: Number(r.seq), at: r.at as number, actor: r.actor as string, action: r.action as string, subject: r.subject as string, detail: parsed(r.detail) });

const VERSION_COLUMNS = 'app_id, version, sha256, size, partner_id, key_id, manifest, descriptor, status, reason, reviewer, conformance, created_at, reviewed_at, yanked_at';

/** Brings the schema to the newest migration, each in its own transaction (PostgreSQL: under an advisory lock, so registries starting together apply it once). */
async function migrate(db: SqlDb): Promise<void> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  for (const m of MIGRATIONS) {
    await db.transaction(async (tx) => {
      if (db.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7316500016)');
      const done = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (done.length) return;
      for (const statement of splitStatements(migrationSql(m, db.dialect))) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
    });
  }
  const newest = await db.all<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations');
  const known = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  if (Number(newest[0]?.v ?? 0) > known) {
    throw new MiniappError('REGISTRY_STORE_INVALID', { where: db.where, reason: `its schema is at migration ${newest[0]!.v}, newer than this registry's ${known}` });
  }
}

/** Splits a migration into statements on `;` at line ends, keeping `$$ ... $$` bodies and BEGIN...END trigger bodies whole. */
function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of sql.split('\n')) {
    current += `${line}\n`;
    const dollar = (current.match(/\$\$/g) ?? []).length % 2 === 1;
    const trigger = /CREATE TRIGGER[\s\S]*\bBEGIN\b/.test(current) && !/\bEND;\s*$/.test(current);
    if (/;\s*$/.test(line) && !dollar && !trigger) {
      out.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function transactionApi(tx: SqlRunner): StoreTx {
  return {
    async insertPartner(p) {
      await tx.run('INSERT INTO partners (id, name, permissions, created_at) VALUES (?, ?, ?, ?)', [p.id, p.name, json(p.permissions), p.createdAt]);
    },
    async updatePartner(id, change) {
      if (change.name !== undefined) await tx.run('UPDATE partners SET name = ? WHERE id = ?', [change.name, id]);
      if (change.permissions !== undefined) await tx.run('UPDATE partners SET permissions = ? WHERE id = ?', [json(change.permissions), id]);
    },
    async insertKey(k) {
      await tx.run('INSERT INTO signing_keys (key_id, partner_id, public_key, app_ids, created_at) VALUES (?, ?, ?, ?, ?)', [k.keyId, k.partnerId, k.publicKey, json(k.appIds), k.createdAt]);
    },
    async revokeKey(keyId, at) {
      return (await tx.run('UPDATE signing_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL', [at, keyId])).changes > 0;
    },
    async insertToken(t) {
      await tx.run('INSERT INTO tokens (id, hash, role, partner_id, label, created_at) VALUES (?, ?, ?, ?, ?, ?)', [t.id, t.hash, t.role, t.partnerId, t.label, t.createdAt]);
    },
    async revokeToken(id, at) {
      return (await tx.run('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])).changes > 0;
    },
    async insertVersion(v) {
      await tx.run(`INSERT INTO versions (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        v.appId,
        v.version,
        v.sha256,
        v.size,
        v.partnerId,
        v.keyId,
        json(v.manifest),
        json(v.descriptor),
        v.status,
        v.reason,
        v.reviewer,
        json(v.conformance),
        v.createdAt,
        v.reviewedAt,
        v.yankedAt,
      ]);
    },
    async reviewVersion(appId, version, from, c) {
      const r = await tx.run('UPDATE versions SET status = ?, reason = ?, reviewer = ?, reviewed_at = ? WHERE app_id = ? AND version = ? AND status = ?', [
        c.status,
        c.reason,
        c.reviewer,
        c.at,
        appId,
        version,
        from,
      ]);
      return r.changes > 0;
    },
    async setConformance(appId, version, verdict) {
      await tx.run('UPDATE versions SET conformance = ? WHERE app_id = ? AND version = ?', [json(verdict), appId, version]);
    },
    async yankVersion(appId, version, at) {
      await tx.run('UPDATE versions SET yanked_at = ? WHERE app_id = ? AND version = ? AND yanked_at IS NULL', [at, appId, version]);
    },
    async insertRelease(r) {
      await tx.run('INSERT INTO releases (app_id, version, channel, rollout, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        r.appId,
        r.version,
        r.channel,
        r.rollout,
        r.state,
        r.createdAt,
        r.updatedAt,
      ]);
    },
    async updateRelease(id, c) {
      if (c.rollout !== undefined) await tx.run('UPDATE releases SET rollout = ?, updated_at = ? WHERE id = ?', [c.rollout, c.at, id]);
      if (c.state !== undefined) await tx.run('UPDATE releases SET state = ?, updated_at = ? WHERE id = ?', [c.state, c.at, id]);
    },
    releases: (appId, channel) => releasesOf(tx, appId, channel),
    version: (appId, version) => versionOf(tx, appId, version),
    async audit(e: AuditEntry, at: number) {
      await tx.run('INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)', [at, e.actor, e.action, e.subject, json(e.detail)]);
    },
  };
}

async function releasesOf(db: SqlRunner, appId: string, channel?: Channel): Promise<ReleaseRecord[]> {
  const rows = channel
    ? await db.all('SELECT * FROM releases WHERE app_id = ? AND channel = ? ORDER BY id DESC', [appId, channel])
    : await db.all('SELECT * FROM releases WHERE app_id = ? ORDER BY id DESC', [appId]);
  return rows.map(toRelease);
}

async function versionOf(db: SqlRunner, appId: string, version: string): Promise<VersionRecord | undefined> {
  const rows = await db.all(`SELECT ${VERSION_COLUMNS} FROM versions WHERE app_id = ? AND version = ?`, [appId, version]);
  return rows[0] ? toVersion(rows[0]) : undefined;
}

/** The store over a migrated SQL database: the same code for SQLite and PostgreSQL. */
export async function createSqlStore(db: SqlDb): Promise<RegistryStore> {
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    if (err instanceof MiniappError) throw err;
    throw new MiniappError('REGISTRY_STORE_INVALID', { where: db.where, reason: (err as Error).message }, { cause: err });
  }
  return {
    kind: db.dialect === 'sqlite' ? 'embedded' : 'postgres',
    where: db.where,
    partners: async () => (await db.all('SELECT * FROM partners ORDER BY id')).map(toPartner),
    partner: async (id) => (await db.all('SELECT * FROM partners WHERE id = ?', [id])).map(toPartner)[0],
    async keys(o = {}) {
      const where = [o.partnerId ? 'partner_id = ?' : '', o.includeRevoked ? '' : 'revoked_at IS NULL'].filter(Boolean);
      const sql = `SELECT * FROM signing_keys${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, key_id`;
      return (await db.all(sql, o.partnerId ? [o.partnerId] : [])).map(toKey);
    },
    key: async (keyId) => (await db.all('SELECT * FROM signing_keys WHERE key_id = ?', [keyId])).map(toKey)[0],
    tokenByHash: async (hash) => (await db.all('SELECT * FROM tokens WHERE hash = ?', [hash])).map(toToken)[0],
    tokens: async () => (await db.all('SELECT * FROM tokens ORDER BY created_at, id')).map(toToken),
    version: (appId, version) => versionOf(db, appId, version),
    versionsBySha: async (sha) => (await db.all(`SELECT ${VERSION_COLUMNS} FROM versions WHERE sha256 = ?`, [sha])).map(toVersion),
    async versions(f = {}) {
      const clauses: string[] = [];
      const params: unknown[] = [];
      if (f.appId) {
        clauses.push('app_id = ?');
        params.push(f.appId);
      }
      if (f.status) {
        clauses.push('status = ?');
        params.push(f.status);
      }
      if (f.partnerId) {
        clauses.push('partner_id = ?');
        params.push(f.partnerId);
      }
      const sql = `SELECT ${VERSION_COLUMNS} FROM versions${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY created_at, app_id, version`;
      return (await db.all(sql, params)).map(toVersion);
    },
    releases: (appId, channel) => releasesOf(db, appId, channel),
    async auditLog(o = {}) {
      return (await db.all('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?', [o.after ?? 0, o.limit ?? 1000])).map(toAudit);
    },
    change: (fn) => db.transaction((tx) => fn(transactionApi(tx))),
    async ping() {
      await db.all('SELECT 1 AS ok');
    },
    close: () => db.close(),
  };
}
