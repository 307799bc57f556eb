/**
 * A FIFO async mutex. better-sqlite3 is one synchronous connection, but our
 * transactions take async callbacks: without this, a statement from another
 * request could run on the connection in the middle of someone's transaction
 * and become part of it.
 */
export interface AsyncMutex {
  /** Resolves with a release function once the caller holds the lock. */
  acquire(): Promise<() => void>;
  readonly locked: boolean;
}

export function createAsyncMutex(): AsyncMutex {
  let locked = false;
  const waiters: Array<() => void> = [];

  function release(): void {
    const next = waiters.shift();
    // Hand the lock straight to the next waiter so nobody can barge in between.
    if (next) next();
    else locked = false;
  }

  function makeRelease(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  }

  return {
    get locked() {
      return locked;
    },
    acquire() {
      if (!locked) {
        locked = true;
        return Promise.resolve(makeRelease());
      }
      return new Promise((resolve) => waiters.push(() => resolve(makeRelease())));
    },
  };
}
