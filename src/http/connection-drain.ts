import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * A graceful stop that lets responses finish. Node's `server.close()` (and Fastify's
 * `forceCloseConnections: 'idle'`) destroys every connection whose request is complete and
 * whose `res.end()` was called, even while megabytes of that response still wait in the
 * socket's buffer for a slow reader: they were cut mid-page. Here a connection is closed
 * only once its response was handed to the kernel in full; the rest get until the deadline,
 * then are destroyed (a stalled upload, half a header), so the process always gets to exit.
 */
export interface ConnectionDrain {
  /** Called by the request listener with each response: one arriving while we stop closes its connection. */
  track(res: ServerResponse): void;
  /** Stops accepting, waits for responses in flight (up to `deadlineMs`), then closes what is left. */
  drain(deadlineMs: number): Promise<{ forced: number }>;
  readonly draining: boolean;
}

const SWEEP_MS = 20;

/**
 * The response a socket is writing. Node's http server sets `_httpMessage` when it gives the socket
 * a response and clears it on the response's 'finish', once its last byte went to the kernel (Node
 * 20 to 24): reading it costs nothing per request, where keeping our own map took a listener and
 * two map operations on every one, cached pages included.
 */
const responseOf = (s: Socket): ServerResponse | null | undefined => (s as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;

export function createConnectionDrain(server: Server): ConnectionDrain {
  const sockets = new Set<Socket>();
  let draining = false;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  /** Nothing of a response left to write: no response, or one finished and flushed. */
  const idle = (s: Socket) => !responseOf(s) && s.writableLength === 0;

  return {
    get draining() {
      return draining;
    },
    track(res) {
      // A request arriving while we stop is answered, then its connection closes.
      if (draining) res.shouldKeepAlive = false;
    },
    drain(deadlineMs) {
      draining = true;
      for (const s of sockets) {
        const res = responseOf(s);
        if (res && !res.headersSent) res.shouldKeepAlive = false;
      }
      return new Promise((resolve) => {
        let forced = 0;
        const ending = new Set<Socket>();
        // net.Server's close, not http.Server's: the latter would first destroy "idle"
        // connections, the very ones still flushing a response.
        if (server.listening) NetServer.prototype.close.call(server);
        const started = Date.now();
        const sweep = () => {
          const late = Date.now() - started >= deadlineMs;
          for (const s of sockets) {
            if (late) {
              forced++;
              s.destroy();
            } else if (idle(s) && !ending.has(s)) {
              // A FIN after the last byte; the socket goes when the client closes its side
              // (destroying it now could reset a connection whose data is still in flight).
              ending.add(s);
              s.end();
            }
          }
          if (sockets.size === 0) return resolve({ forced });
          setTimeout(sweep, SWEEP_MS).unref();
        };
        sweep();
      });
    },
  };
}
