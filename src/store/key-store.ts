/**
 * pm_key: server-side secrets (unique per site and name) and API tokens
 * (stored as the hash of the token, unique by that hash).
 */
import { PmError } from '../errors/errors.js';
import type { Db } from './db.js';
import { relabelConflict, requireText, resolveStoreOptions, type StoreOptions } from './store-options.js';
import type { Key, KeyStore } from './types.js';
import type { CoreTables } from './core-tables.js';

/** A pm_key row (core-tables.ts), its kind narrowed to the kinds a key can have. */
type KeyRow = Omit<CoreTables['pm_key'], 'kind'> & { kind: Key['kind'] };

const COLUMNS = ['key_id', 'site_id', 'user_id', 'kind', 'name', 'value', 'created_at', 'last_used_at'] as const;
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

  const k = db.kysely;
  const secretValue = async (siteId: string, name: string): Promise<string | undefined> =>
    (await k.selectFrom('pm_key').select('value').where('kind', '=', 'secret').where('site_id', '=', siteId).where('name', '=', name).executeTakeFirst())?.value;
  const keys = () => k.selectFrom('pm_key').select(COLUMNS);

  return {
    async create(input) {
      const kind = checkKind(input.kind);
      const name = requireText(input.name, 'name', 'A name');
      const value = requireText(input.value, 'value', 'A value');
      const key: Key = { keyId: newId(), siteId: input.siteId, userId: input.userId ?? null, kind, name, value, createdAt: now(), lastUsedAt: null };
      try {
        await k
          .insertInto('pm_key')
          .values({ key_id: key.keyId, site_id: key.siteId, user_id: key.userId, kind, name, value, created_at: key.createdAt, last_used_at: null })
          .execute();
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
      await k
        .insertInto('pm_key')
        .values({ key_id: newId(), site_id: siteId, user_id: null, kind: 'secret', name, value: make(), created_at: now(), last_used_at: null })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const value = await secretValue(siteId, name);
      if (value === undefined) throw new PmError('PM_ERR_INTERNAL', {}, { cause: new Error(`getOrCreateSecret: secret ${name} missing after insert`) });
      return value;
    },
    async findByValue(kind, value) {
      const r = await keys().where('kind', '=', checkKind(kind)).where('value', '=', value).executeTakeFirst();
      return r && toKey(r as KeyRow);
    },
    async listForUser(userId, kind) {
      const rows = await keys().where('user_id', '=', userId).where('kind', '=', checkKind(kind)).orderBy('created_at').orderBy('key_id').execute();
      return rows.map((r) => toKey(r as KeyRow));
    },
    async touch(keyId, at) {
      await k.updateTable('pm_key').set({ last_used_at: at }).where('key_id', '=', keyId).execute();
    },
    async delete(keyId) {
      await k.deleteFrom('pm_key').where('key_id', '=', keyId).execute();
    },
  };
}
