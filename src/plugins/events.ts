import { EventEmitter } from 'node:events';
import type { PageChange } from '../pages/page-service.js';

/** Events plugins may listen to. */
export interface PmEvents {
  'page.changed': [PageChange];
  'user.login': [{ siteId: string; userId: string }];
  'user.logout': [{ siteId: string; userId: string }];
  'site.changed': [{ siteId: string }];
  'themes.reloaded': [{ changed: string[] }];
}

export interface EventBus {
  on<K extends keyof PmEvents>(event: K, listener: (...args: PmEvents[K]) => void): void;
  off<K extends keyof PmEvents>(event: K, listener: (...args: PmEvents[K]) => void): void;
  emit<K extends keyof PmEvents>(event: K, ...args: PmEvents[K]): void;
}

export function createEventBus(onError: (err: unknown, event: string) => void): EventBus {
  const ee = new EventEmitter();
  ee.setMaxListeners(100);
  return {
    on: (e, l) => void ee.on(e, l as (...a: unknown[]) => void),
    off: (e, l) => void ee.off(e, l as (...a: unknown[]) => void),
    emit(e, ...args) {
      // One listener failing must not break the write that emitted the event.
      for (const l of ee.listeners(e)) {
        try {
          (l as (...a: unknown[]) => void)(...args);
        } catch (err) {
          onError(err, e);
        }
      }
    },
  };
}
