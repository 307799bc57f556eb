/** Every core store over one Db. `app` calls this once, after `migrate(db, coreMigrations)`. */
import type { Db } from './db.js';
import { createKeyStore } from './key-store.js';
import { createLocaleStore } from './locale-store.js';
import { createPageStore } from './page-store.js';
import { createPasswordStore } from './password-store.js';
import { createSessionStore } from './session-store.js';
import { createSiteStore } from './site-store.js';
import type { StoreOptions } from './store-options.js';
import { createTemplateUrlStore } from './template-url-store.js';
import type { Stores } from './types.js';
import { createUserStore } from './user-store.js';
import { createSiteUsage } from './site-usage.js';

export function createStores(db: Db, opts: StoreOptions = {}): Stores {
  const usage = createSiteUsage(db);
  return {
    usage,
    db,
    sites: createSiteStore(db, opts),
    users: createUserStore(db, opts),
    passwords: createPasswordStore(db, opts),
    sessions: createSessionStore(db, opts),
    keys: createKeyStore(db, opts),
    pages: createPageStore(db, usage),
    templateUrls: createTemplateUrlStore(db, usage),
    locales: createLocaleStore(db, opts),
  };
}
