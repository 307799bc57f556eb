/**
 * loadConfig directly: flags, then PM_* environment, then DIR/config.toml, then defaults.
 * The same rules through a real process are in serve.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPmError } from '../../src/errors/errors.js';
import { loadConfig, type ConfigFlags } from '../../src/config/load-config.js';
import { tempDir } from './cli-helpers.js';

function writeToml(dir: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.toml'), text);
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isPmError(e, 'PM_ERR_CONFIG'), `expected PM_ERR_CONFIG, got ${String(e)}`);
    return (e as Error).message;
  }
  assert.fail('expected a configuration error');
}

test('defaults: offline on 127.0.0.1:7070, data in ./pagemanager-data, SQLite inside it, cache 64 MiB', (t) => {
  const cwd = tempDir(t);
  const c = loadConfig({}, {}, cwd);
  assert.equal(c.mode, 'offline');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 7070);
  assert.equal(c.dir, join(cwd, 'pagemanager-data'));
  assert.equal(c.dsn, join(cwd, 'pagemanager-data', 'pagemanager.db'));
  assert.equal(c.cacheMb, 64);
  assert.equal(c.open, true);
  assert.equal(c.trustProxy, false);
  assert.equal(c.theme, 'daybreak');
  assert.equal(c.secretKey, undefined);
});

test('singlesite and multisite listen on every interface by default', (t) => {
  const cwd = tempDir(t);
  for (const mode of ['singlesite', 'multisite']) {
    const c = loadConfig({ mode }, {}, cwd);
    assert.equal(c.mode, mode);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 7070);
  }
});

test('the environment sets mode, address, folder and database', (t) => {
  const cwd = tempDir(t);
  const c = loadConfig({}, { PM_MODE: 'multisite', PM_ADDR: '10.0.0.5:8080', PM_DIR: 'site-data', PM_DSN: 'postgres://u@db/pm' }, cwd);
  assert.equal(c.mode, 'multisite');
  assert.equal(c.host, '10.0.0.5');
  assert.equal(c.port, 8080);
  assert.equal(c.dir, join(cwd, 'site-data'), 'a relative PM_DIR is taken from the working folder');
  assert.equal(c.dsn, 'postgres://u@db/pm');
});

test('config.toml in the data folder (found through PM_DIR) sets what flags and environment leave out', (t) => {
  const dir = join(tempDir(t), 'data');
  writeToml(dir, 'mode = "singlesite"\naddr = "127.0.0.1:9000"\ndsn = "/srv/from-toml.db"\ncache_mb = 8\ntrust_proxy = true\ntheme = "nightfall"\n[plugins.fruits]\nenabled = false\ncolour = "red"\n');
  const c = loadConfig({}, { PM_DIR: dir });
  assert.equal(c.mode, 'singlesite');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 9000);
  assert.equal(c.dsn, '/srv/from-toml.db');
  assert.equal(c.cacheMb, 8);
  assert.equal(c.trustProxy, 1, 'trust_proxy = true is one proxy');
  assert.equal(c.theme, 'nightfall');
  assert.deepEqual(JSON.parse(JSON.stringify(c.plugins)), { fruits: { enabled: false, colour: 'red' } });
});

test('precedence, one setting at a time: flag over environment over config.toml over default', async (t) => {
  const cases: { name: string; flag: ConfigFlags; envName: string; envValue: string; toml: string; read: (c: ReturnType<typeof loadConfig>) => unknown; fromFlag: unknown; fromEnv: unknown; fromToml: unknown; fromDefault: unknown }[] = [
    { name: 'mode', flag: { mode: 'multisite' }, envName: 'PM_MODE', envValue: 'singlesite', toml: 'mode = "offline"', read: (c) => c.mode, fromFlag: 'multisite', fromEnv: 'singlesite', fromToml: 'offline', fromDefault: 'offline' },
    { name: 'addr', flag: { addr: '127.0.0.1:1111' }, envName: 'PM_ADDR', envValue: '127.0.0.1:2222', toml: 'addr = "127.0.0.1:3333"', read: (c) => c.port, fromFlag: 1111, fromEnv: 2222, fromToml: 3333, fromDefault: 7070 },
    { name: 'dsn', flag: { dsn: 'postgres://flag/db' }, envName: 'PM_DSN', envValue: 'postgres://env/db', toml: 'dsn = "postgres://toml/db"', read: (c) => c.dsn, fromFlag: 'postgres://flag/db', fromEnv: 'postgres://env/db', fromToml: 'postgres://toml/db', fromDefault: 'DEFAULT' },
    { name: 'cache', flag: { cacheMb: '1' }, envName: 'PM_CACHE_MB', envValue: '2', toml: 'cache_mb = 3', read: (c) => c.cacheMb, fromFlag: 1, fromEnv: 2, fromToml: 3, fromDefault: 64 },
    { name: 'base domain', flag: { baseDomain: 'flag.test' }, envName: 'PM_BASE_DOMAIN', envValue: 'env.test', toml: 'base_domain = "toml.test"', read: (c) => c.baseDomain, fromFlag: 'flag.test', fromEnv: 'env.test', fromToml: 'toml.test', fromDefault: '' },
  ];
  for (const k of cases) {
    await t.test(k.name, (t) => {
      const dir = tempDir(t);
      const withToml = join(dir, 'with-toml');
      writeToml(withToml, k.toml);
      const bare = join(dir, 'bare');
      const env = { [k.envName]: k.envValue };
      const dflt = k.fromDefault === 'DEFAULT' ? join(bare, 'pagemanager.db') : k.fromDefault;
      assert.equal(k.read(loadConfig({ ...k.flag, dir: withToml }, env)), k.fromFlag, 'the flag wins over everything');
      assert.equal(k.read(loadConfig({ dir: withToml }, env)), k.fromEnv, 'the environment wins over config.toml');
      assert.equal(k.read(loadConfig({ dir: withToml }, {})), k.fromToml, 'config.toml wins over the default');
      assert.equal(k.read(loadConfig({ dir: bare }, {})), dflt, 'the default applies when nothing is set');
      assert.equal(k.read(loadConfig({ dir: withToml }, { [k.envName]: '' })), k.fromToml, 'an empty variable counts as unset');
    });
  }
});

test('--dir wins over PM_DIR, and only the chosen folder’s config.toml is read', (t) => {
  const base = tempDir(t);
  writeToml(join(base, 'a'), 'mode = "singlesite"');
  writeToml(join(base, 'b'), 'mode = "multisite"');
  const c = loadConfig({ dir: join(base, 'a') }, { PM_DIR: join(base, 'b') });
  assert.equal(c.dir, join(base, 'a'));
  assert.equal(c.mode, 'singlesite');
});

test('an empty PM_DIR counts as unset, like every other variable', (t) => {
  const cwd = tempDir(t);
  assert.equal(loadConfig({}, { PM_DIR: '' }, cwd).dir, join(cwd, 'pagemanager-data'));
});

test('--no-open, PM_NO_OPEN and CI keep the browser closed', (t) => {
  const cwd = tempDir(t);
  assert.equal(loadConfig({ open: false }, {}, cwd).open, false);
  assert.equal(loadConfig({}, { PM_NO_OPEN: '1' }, cwd).open, false);
  assert.equal(loadConfig({}, { CI: 'true' }, cwd).open, false);
  assert.equal(loadConfig({}, {}, cwd).open, true);
});

test('addresses: HOST:PORT, [IPv6]:PORT, :PORT and a bare PORT', (t) => {
  const cwd = tempDir(t);
  const at = (addr: string, mode = 'singlesite') => {
    const c = loadConfig({ addr, mode }, {}, cwd);
    return `${c.host} ${c.port}`;
  };
  assert.equal(at('example.test:80'), 'example.test 80');
  assert.equal(at('[::1]:7071', 'offline'), '::1 7071');
  assert.equal(at(':8081'), '0.0.0.0 8081');
  assert.equal(at(':8081', 'offline'), '127.0.0.1 8081', 'offline fills in loopback');
  assert.equal(at('9090', 'offline'), '127.0.0.1 9090');
  assert.equal(at('127.0.0.1:0', 'offline'), '127.0.0.1 0', 'port 0 picks a free port');
});

test('offline mode accepts every loopback address', (t) => {
  const cwd = tempDir(t);
  for (const addr of ['127.0.0.1:7070', '127.8.9.10:7070', 'localhost:7070', '[::1]:7070']) {
    assert.equal(loadConfig({ addr }, {}, cwd).mode, 'offline', addr);
  }
});

test('offline mode refuses a non-loopback address, from a flag, the environment or config.toml, and says what to do', (t) => {
  const dir = tempDir(t);
  for (const addr of ['0.0.0.0:7070', '192.168.1.20:7070', '[::]:7070', 'example.com:7070']) {
    const msg = configError(() => loadConfig({ addr, dir }, {}));
    assert.match(msg, /offline mode listens on loopback only/);
    assert.match(msg, /is not a loopback address/);
    assert.match(msg, /--mode singlesite/);
  }
  assert.match(configError(() => loadConfig({ dir }, { PM_ADDR: '0.0.0.0:7070' })), /0\.0\.0\.0 is not a loopback address/);
  const withToml = join(dir, 'toml');
  writeToml(withToml, 'addr = "0.0.0.0:7070"');
  assert.match(configError(() => loadConfig({ dir: withToml }, {})), /0\.0\.0\.0 is not a loopback address/);
  assert.equal(loadConfig({ dir: withToml, mode: 'singlesite' }, {}).host, '0.0.0.0', 'another mode may listen there');
});

test('bad values are refused with a message naming the value', (t) => {
  const dir = tempDir(t);
  assert.match(configError(() => loadConfig({ dir, mode: 'online' }, {})), /unknown mode "online"; use offline, singlesite or multisite/);
  assert.match(configError(() => loadConfig({ dir }, { PM_MODE: 'Offline' })), /unknown mode "Offline"/);
  assert.match(configError(() => loadConfig({ dir, addr: 'localhost' }, {})), /address "localhost" is not HOST:PORT/);
  assert.match(configError(() => loadConfig({ dir, addr: '127.0.0.1:70000' }, {})), /port 70000 is out of range/);
  assert.match(configError(() => loadConfig({ dir, addr: '127.0.0.1:http' }, {})), /address "127\.0\.0\.1:http" is not HOST:PORT/);
  assert.match(configError(() => loadConfig({ dir, cacheMb: '-1' }, {})), /cache size must be a number of MiB, 0 or more \(got "-1"\)/);
  assert.match(configError(() => loadConfig({ dir }, { PM_CACHE_MB: 'lots' })), /got "lots"/);
});

test('a config.toml that is not TOML is refused with its path and the first line of the reason', (t) => {
  const dir = tempDir(t);
  writeToml(dir, 'mode = singlesite\n');
  const msg = configError(() => loadConfig({ dir }, {}));
  assert.ok(msg.includes(join(dir, 'config.toml')), msg);
  assert.match(msg, /is not valid TOML: /);
  assert.ok(!msg.includes('\n'), 'one line');
});

test('a missing config.toml is fine; the folder need not exist yet', (t) => {
  const dir = join(tempDir(t), 'not', 'yet');
  assert.equal(loadConfig({ dir }, {}).dir, dir);
});
