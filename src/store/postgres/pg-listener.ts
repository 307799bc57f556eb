import pg from 'pg';

/** Reconnect attempts start at once and back off only a little: a server that answers again is noticed within this. */
const FIRST_RECONNECT_DELAY_MS = 50;
const MAX_RECONNECT_DELAY_MS = 500;

/**
 * One dedicated connection doing LISTEN for every channel of this Db. If it
 * drops, it reconnects (every 50 ms at first, then at most every 500 ms) and
 * LISTENs again; notifications sent while it was down are lost (PostgreSQL
 * does not queue them), so `listening()` says false from the moment the loss
 * is seen until LISTEN is back, and every handler then gets `''`.
 */
export function createListener(config: pg.ClientConfig, mapped: (e: unknown) => unknown) {
  const channels = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = FIRST_RECONNECT_DELAY_MS;
  let closed = false;
  let connectedBefore = false;

  function dispatch(channel: string, payload: string): void {
    for (const handler of [...(channels.get(channel) ?? [])]) {
      try {
        handler(payload);
      } catch (e) {
        process.emitWarning(`A listener on channel ${channel} threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer || channels.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (closed || channels.size === 0) return;
      connect().catch(() => scheduleReconnect());
    }, retryDelay);
    retryTimer.unref();
    retryDelay = Math.min(retryDelay * 2, MAX_RECONNECT_DELAY_MS);
  }

  function connect(): Promise<pg.Client> {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      const c = new pg.Client(config);
      let lost = false;
      const onLost = (): void => {
        if (lost) return;
        lost = true;
        if (client === c) client = undefined;
        c.end().catch(() => {});
        scheduleReconnect();
      };
      c.on('error', onLost);
      c.on('end', onLost);
      c.on('notification', (msg) => dispatch(msg.channel, msg.payload ?? ''));
      try {
        await c.connect();
        for (const channel of channels.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (e) {
        lost = true;
        await c.end().catch(() => {});
        throw mapped(e);
      }
      if (closed) {
        await c.end().catch(() => {});
        throw new Error('The database was closed.');
      }
      client = c;
      retryDelay = FIRST_RECONNECT_DELAY_MS;
      // Notifications sent while the connection was down are lost: tell every
      // listener with an empty payload, so caches can drop what may be stale.
      if (connectedBefore) for (const channel of channels.keys()) dispatch(channel, '');
      connectedBefore = true;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    /** True once LISTEN runs on a live connection; false after it was lost, until it is back. */
    listening: (): boolean => client !== undefined || channels.size === 0,
    async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
      const handler = (payload: string): void => onMessage(payload);
      let set = channels.get(channel);
      const isNew = !set;
      if (!set) channels.set(channel, (set = new Set()));
      set.add(handler);
      try {
        const c = await connect();
        // A connection opened just now may or may not have seen this channel in
        // the map; LISTEN is idempotent, so say it again rather than guess.
        if (isNew) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (e) {
        set.delete(handler);
        if (set.size === 0) channels.delete(channel);
        throw mapped(e);
      }
      return async () => {
        if (!set.delete(handler) || set.size > 0) return;
        channels.delete(channel);
        if (client) await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
      };
    },
    async close(): Promise<void> {
      closed = true;
      channels.clear();
      if (retryTimer) clearTimeout(retryTimer);
      await connecting?.catch(() => {});
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
