/**
 * pm_key: server-side secrets (unique per site and name) and API tokens
 * (stored as the hash of the token, unique by that hash).
 */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { relabelConflict, requireText, resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { Key, KeyStore } from './types.js';

interface KeyRow {
  key_id: string;
  site_id: string;
  user_id: string | null;
  kind: Key['kind'];
  name: string;
  value: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS = 'key_id, site_id, user_id, kind, name, value, created_at, last_used_at';
const KINDS: readonly Key['kind'][] = ['secret', 'api_token'];

function toKey(r: KeyRow): Key {
  return {
    keyId: r.key_id,
    siteId: r.site_id,
    userId: r.user_id,
    kind: r.kind,
    name: r.name,
    value: r.value,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  };
}

function checkKind(kind: unknown): Key['kind'] {
  if (!KINDS.includes(kind as Key['kind'])) throw new PmError('PM_ERR_BAD_REQUEST', { detail: `A key kind must be secret or api_token, not ${String(kind)}.` });
  return kind as Key['kind'];
}

export function createKeyStore(db: Db, opts: StoreOptions = {}): KeyStore {
  const { now, newId } = resolveStoreOptions(opts);

  const secretValue = async (siteId: string, name: string): Promise<string | undefined> =>
    (await db.get<{ value: string }>("SELECT value FROM pm_key WHERE kind = 'secret' AND site_id = ? AND name = ?", [siteId, name]))?.value;

  return {
    async create(input) {
      const kind = checkKind(input.kind);
      const name = requireText(input.name, 'name', 'A name');
      const value = requireText(input.value, 'value', 'A value');
      const key: Key = { keyId: newId(), siteId: input.siteId, userId: input.userId ?? null, kind, name, value, createdAt: now(), lastUsedAt: null };
      try {
        await db.run(`INSERT INTO pm_key (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
          key.keyId,
          key.siteId,
          key.userId,
          kind,
          name,
          value,
          key.createdAt,
          null,
        ]);
      } catch (e) {
        throw relabelConflict(e, kind === 'secret' ? `The secret ${name}` : 'This API token');
      }
      return key;
    },
    async getOrCreateSecret(siteId, name, make) {
      const existing = await secretValue(siteId, name);
      if (existing !== undefined) return existing;
      // When two processes race, the partial unique index on (site_id, name) lets
      // one insert win; the other does nothing and both read the winner's value.
      await db.run(`INSERT INTO pm_key (${COLUMNS}) VALUES (?, ?, NULL, 'secret', ?, ?, ?, NULL) ON CONFLICT DO NOTHING`, [
        newId(),
        siteId,
        name,
        make(),
        now(),
      ]);
      const value = await secretValue(siteId, name);
      if (value === undefined) throw new PmError('PM_ERR_INTERNAL', {}, { cause: new Error(`getOrCreateSecret: secret ${name} missing after insert`) });
      return value;
    },
    async findByValue(kind, value) {
      const r = await db.get<KeyRow>(`SELECT ${COLUMNS} FROM pm_key WHERE kind = ? AND value = ?`, [checkKind(kind), value]);
      return r && toKey(r);
    },
    async listForUser(userId, kind) {
      const rows = await db.all<KeyRow>(`SELECT ${COLUMNS} FROM pm_key WHERE user_id = ? AND kind = ? ORDER BY created_at, key_id`, [userId, checkKind(kind)]);
      return rows.map(toKey);
    },
    async touch(keyId, at) {
      await db.run('UPDATE pm_key SET last_used_at = ? WHERE key_id = ?', [at, keyId]);
    },
    async delete(keyId) {
      await db.run('DELETE FROM pm_key WHERE key_id = ?', [keyId]);
    },
  };
}
