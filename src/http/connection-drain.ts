import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
  /** Wraps the request listener: remembers which response each socket is writing. */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** Stops accepting, waits for responses in flight (up to `deadlineMs`), then closes what is left. */
  drain(deadlineMs: number): Promise<{ forced: number }>;
  readonly draining: boolean;
}

const SWEEP_MS = 20;

export function createConnectionDrain(server: Server): ConnectionDrain {
  const sockets = new Set<Socket>();
  const busy = new Map<Socket, ServerResponse>();
  let draining = false;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => {
      sockets.delete(s);
      busy.delete(s);
    });
  });

  /**
   * A response's 'close' comes once it finished (its last byte went to the kernel: Node emits it
   * right after 'finish') or once the client left first: either way it no longer keeps its socket busy.
   */
  function done(this: ServerResponse): void {
    const s = this.req.socket;
    if (busy.get(s) === this) busy.delete(s);
  }

  /** Nothing of a response left to write: no response, or one finished and flushed. */
  const idle = (s: Socket) => !busy.has(s) && s.writableLength === 0;

  return {
    get draining() {
      return draining;
    },
    track(req, res) {
      busy.set(req.socket, res);
      // One shared listener, no closure per request: this runs for every request, cached pages included.
      res.on('close', done);
      // A request arriving while we stop is answered, then its connection closes.
      if (draining) res.shouldKeepAlive = false;
    },
    drain(deadlineMs) {
      draining = true;
      for (const res of busy.values()) if (!res.headersSent) res.shouldKeepAlive = false;
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
