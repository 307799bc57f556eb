/** Starting, watching and stopping the child processes of the benchmark. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { httpRequest } from './http-get.js';

export const BENCH_DIR = new URL('.', import.meta.url).pathname;
export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

export interface Server {
  name: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

function captureStderr(child: ChildProcess): () => string {
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  return () => err;
}

/** A bare server script in scripts/bench/ that reports its port over IPC. */
export function startBare(name: string, script: string, args: string[], nodeArgs: string[]): Promise<Server> {
  const child = fork(join(BENCH_DIR, script), args, { execArgv: ['--import', 'tsx', ...nodeArgs], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  const stderr = captureStderr(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ name, pid: child.pid!, port: m.port, stop: stopper(child) }));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${stderr()}`)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** `node bin/pagemanager.js serve …` on a free loopback port; resolves once /pm/health answers. */
export async function startPagemanager(name: string, opts: { dir: string; cacheMb?: number; env?: Record<string, string>; nodeArgs: string[] }): Promise<Server> {
  const port = await freePort();
  const args = ['serve', '--mode', 'singlesite', '--addr', `127.0.0.1:${port}`, '--dir', opts.dir, '--no-open'];
  if (opts.cacheMb !== undefined) args.push('--cache-mb', String(opts.cacheMb));
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (!opts.env?.PM_SECRET_KEY) delete env.PM_SECRET_KEY;
  delete env.PM_CACHE_MB;
  const child = spawn(process.execPath, [...opts.nodeArgs, join(PROJECT_ROOT, 'bin/pagemanager.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = captureStderr(child);
  const server: Server = { name, pid: child.pid!, port, stop: stopper(child) };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr()}`);
    const ok = await httpRequest(port, '/pm/health', { headers: { accept: 'application/json' } }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop();
  throw new Error(`${name} did not answer /pm/health within 30 s:\n${stderr()}`);
}

/** The load generator process; one task at a time. */
export function startLoadWorker(): { send<T, R>(task: T & { id: number }): Promise<R>; stop(): Promise<void> } {
  const child = fork(join(BENCH_DIR, 'load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    send<T, R>(task: T & { id: number }): Promise<R> {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the load generator exited with ${code}`));
        child.once('exit', onExit);
        const onMessage = (m: R & { id: number; error?: string }) => {
          if (m.id !== task.id) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (m.error) reject(new Error(`load generator: ${m.error}`));
          else resolve(m);
        };
        child.on('message', onMessage);
        child.send(task);
      });
    },
    stop: stopper(child),
  };
}
