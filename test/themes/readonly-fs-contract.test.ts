/**
 * One contract, every ReadonlyFS: the same files are laid out in each
 * implementation and the same assertions run against all of them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { isPmError } from '../../src/errors/errors.js';
import { normalizeFsPath } from '../../src/themes/readonly-fs.js';
import type { ReadonlyFS } from '../../src/themes/readonly-fs.js';
import type { EmbeddedSource } from '../../src/themes/embedded-fs.js';
import { createDirFS } from '../../src/themes/dir-fs.js';
import { createMemoryFS } from '../../src/themes/memory-fs.js';
import { createEmbeddedFS } from '../../src/themes/embedded-fs.js';
import { createOverlayFS } from '../../src/themes/overlay-fs.js';
import { createDbFS } from '../../src/themes/db-fs.js';
import type { DbFileSource } from '../../src/themes/db-fs.js';
import { createThemeFileStore, themeFileMigrations } from '../../src/store/theme-file-store.js';
import { readFolderFiles } from '../../src/themes/read-folder.js';

/** What `pagemanager install-theme` does: the folder's files into the store under `root`. */
async function installThemeToDb(db: Db, fs: ReadonlyFS, dir: string, root = ''): Promise<number> {
  return createThemeFileStore(db, root).replaceFolder(dir, await readFolderFiles(fs, dir));
}
import { DIALECTS } from '../helpers/dialects.js';
import type { DialectCase, DialectName } from '../helpers/dialects.js';
import { migrate } from '../../src/store/migrate.js';
import type { Db } from '../../src/store/db.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
const FILES: Record<string, string | Buffer> = {
  'theme.json': '{"id":"t"}',
  'assets/style.css': 'body { color: red }',
  'assets/img/logo.png': PNG,
  'templates/home.eta': '<h1><%= it.data.title %></h1>',
  'empty.txt': '',
};

const BAD_PATHS: [string, RegExp][] = [
  ['../outside/secret.txt', /'\.\.'/],
  ['assets/../../outside/secret.txt', /'\.\.'/],
  ['..', /'\.\.'/],
  ['/etc/passwd', /absolute/],
  ['assets\\style.css', /backslash/],
  ['assets/style.css\0.png', /NUL/],
  ['C:/Windows/win.ini', /drive letter/],
  ['c:secret', /drive letter/],
];

async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [p, d] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), d);
  }
}

/** The single executable's bundle, as its build lays it out, read from a Map instead of node:sea; `prefix` puts the files in a folder of it. */
function embeddedSource(files: Record<string, string | Buffer>, prefix = ''): EmbeddedSource {
  const bytes = new Map(Object.entries(files).map(([p, d]) => [prefix ? `${prefix}/${p}` : p, Buffer.from(d)]));
  if (prefix) bytes.set('elsewhere/other.txt', Buffer.from('not under the root'));
  return {
    files: Object.fromEntries([...bytes].map(([p, b]) => [p, b.length])),
    builtAtMs: 1_700_000_000_000,
    read: (p) => {
      const b = bytes.get(p);
      if (!b) throw new Error(`no asset ${p}`);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
    },
  };
}

/** A DbFileSource kept in a Map: the db FS's own logic, without a database. */
function fakeDbSource(files: Record<string, string | Buffer>): DbFileSource {
  const rows = new Map(Object.entries(files).map(([p, d]) => [p, { data: Buffer.from(d), mtimeMs: 1_700_000_000_000 }]));
  return {
    async getFile(p) {
      return rows.get(p);
    },
    async listPrefix(prefix) {
      return [...rows].filter(([p]) => p.startsWith(prefix)).map(([path, r]) => ({ path, size: r.data.length, mtimeMs: r.mtimeMs })).sort((a, b) => (a.path < b.path ? -1 : 1));
    },
  };
}

let tmp: string;
const closers: (() => Promise<void>)[] = [];

/** A fresh, empty database of that dialect (deleted in `after`). */
async function freshDb(kind: DialectName): Promise<Db> {
  const dialect = DIALECTS.find((d) => d.name === kind) as DialectCase;
  const t = await dialect.openEmpty();
  closers.push(() => t.cleanup());
  return t.db;
}

async function realDbFS(kind: DialectName): Promise<ReadonlyFS> {
  const db = await freshDb(kind);
  await migrate(db, themeFileMigrations, 'themes');
  // Rows beside the root must stay invisible: another root, and a name that merely starts like it.
  await installThemeToDb(db, createMemoryFS({ 'x/theme.json': 'other root', 'x/secret.txt': 's' }), 'x', 'pm-themes-other');
  await installThemeToDb(db, createMemoryFS(FILES), '', 'pm-themes');
  return createDbFS(createThemeFileStore(db, 'pm-themes'));
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pm-rofs-'));
  // The tree lives in tmp/root; tmp/outside holds a file the FS must never reach.
  await writeTree(join(tmp, 'root'), FILES);
  await writeTree(join(tmp, 'outside'), { 'secret.txt': 'top secret' });
  await symlink(join(tmp, 'outside'), join(tmp, 'root', 'escape-dir'));
  await symlink(join(tmp, 'outside', 'secret.txt'), join(tmp, 'root', 'escape-file'));
  await symlink(join(tmp, 'root', 'assets', 'style.css'), join(tmp, 'root', 'inner-link.css'));
  // Overlay: the first layer has some files and shadows theme.json; the second has the rest.
  await writeTree(join(tmp, 'lower'), { ...FILES, 'theme.json': '{"id":"shadowed"}', 'assets/style.css': 'shadowed' });
});
after(async () => {
  for (const close of closers) await close();
  await rm(tmp, { recursive: true, force: true });
});

interface Impl {
  name: string;
  make: () => Promise<ReadonlyFS>;
  /** The tree contains the symlinks made in `before` (only DirFS). */
  symlinks?: boolean;
}

const IMPLS: Impl[] = [
  { name: 'DirFS', make: async () => createDirFS(join(tmp, 'root')), symlinks: true },
  { name: 'MemoryFS', make: async () => createMemoryFS(FILES) },
  {
    name: 'OverlayFS',
    make: async () =>
      createOverlayFS([
        createMemoryFS({ 'theme.json': FILES['theme.json'], 'assets/style.css': FILES['assets/style.css'] }),
        createDirFS(join(tmp, 'lower')),
      ]),
  },
  { name: 'EmbeddedFS', make: async () => createEmbeddedFS(embeddedSource(FILES)) },
  { name: 'EmbeddedFS (a folder of the bundle as root)', make: async () => createEmbeddedFS(embeddedSource(FILES, 'pm-themes/t'), 'pm-themes/t') },
  { name: 'DbFS (fake source)', make: async () => createDbFS(fakeDbSource(FILES)) },
  ...DIALECTS.filter((d) => !d.skip).map((d) => ({ name: `DbFS (${d.name})`, make: () => realDbFS(d.name) })),
];

async function rejectsWith(p: Promise<unknown>, code: 'PM_ERR_PATH_INVALID' | 'PM_ERR_NOT_FOUND', message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPmError(e, code), `expected ${code}, got ${String(e)}`);
    if (message) assert.match((e as Error).message, message);
    return true;
  });
}

for (const impl of IMPLS) {
  describe(`ReadonlyFS contract: ${impl.name}`, () => {
    let fs: ReadonlyFS;
    before(async () => {
      fs = await impl.make();
    });

    it('reads files as bytes, text and binary alike', async () => {
      assert.equal((await fs.readFile('theme.json')).toString(), '{"id":"t"}');
      assert.equal((await fs.readFile('assets/style.css')).toString(), 'body { color: red }');
      assert.deepEqual(await fs.readFile('assets/img/logo.png'), PNG);
      assert.equal((await fs.readFile('empty.txt')).length, 0);
    });

    it('accepts ./, doubled slashes and a trailing slash', async () => {
      assert.equal((await fs.readFile('./assets//style.css')).toString(), 'body { color: red }');
      assert.deepEqual(
        (await fs.readDir('assets/')).map((e) => e.name),
        ['img', 'style.css'],
      );
    });

    it('lists a folder sorted, with folders marked', async () => {
      const root = (await fs.readDir('')).filter((e) => !['escape-dir', 'escape-file', 'inner-link.css'].includes(e.name));
      assert.deepEqual(root, [
        { name: 'assets', isDir: true },
        { name: 'empty.txt', isDir: false },
        { name: 'templates', isDir: true },
        { name: 'theme.json', isDir: false },
      ]);
      assert.deepEqual(await fs.readDir('.'), await fs.readDir(''));
      assert.deepEqual(await fs.readDir('assets/img'), [{ name: 'logo.png', isDir: false }]);
    });

    it('stats files and folders, and answers undefined for nothing', async () => {
      const f = await fs.stat('assets/img/logo.png');
      assert.equal(f?.isDir, false);
      assert.equal(f?.size, PNG.length);
      assert.equal(typeof f?.mtimeMs, 'number');
      assert.equal((await fs.stat('empty.txt'))?.size, 0);
      assert.equal((await fs.stat('assets'))?.isDir, true);
      assert.equal((await fs.stat(''))?.isDir, true);
      assert.equal(await fs.stat('nope.txt'), undefined);
      assert.equal(await fs.stat('assets/nope'), undefined);
      // A prefix of a real name is not a file or folder.
      assert.equal(await fs.stat('asse'), undefined);
    });

    it('a missing file is PM_ERR_NOT_FOUND naming the path', async () => {
      await rejectsWith(fs.readFile('assets/missing.css'), 'PM_ERR_NOT_FOUND', /assets\/missing\.css/);
      await rejectsWith(fs.readDir('no-such-folder'), 'PM_ERR_NOT_FOUND', /no-such-folder/);
    });

    it('a folder is not a file and a file is not a folder', async () => {
      await rejectsWith(fs.readFile('assets'), 'PM_ERR_NOT_FOUND');
      await rejectsWith(fs.readDir('theme.json'), 'PM_ERR_NOT_FOUND');
    });

    for (const [bad, reason] of BAD_PATHS) {
      it(`refuses ${JSON.stringify(bad)} with the reason`, async () => {
        await rejectsWith(fs.readFile(bad), 'PM_ERR_PATH_INVALID', reason);
        await rejectsWith(fs.readDir(bad), 'PM_ERR_PATH_INVALID', reason);
        await rejectsWith(fs.stat(bad), 'PM_ERR_PATH_INVALID', reason);
      });
    }

    if (impl.symlinks) {
      it('refuses a symlink that leads outside the root, though its target exists', async () => {
        await rejectsWith(fs.readFile('escape-file'), 'PM_ERR_PATH_INVALID', /outside the folder/);
        await rejectsWith(fs.readFile('escape-dir/secret.txt'), 'PM_ERR_PATH_INVALID', /outside the folder/);
        await rejectsWith(fs.readDir('escape-dir'), 'PM_ERR_PATH_INVALID', /outside the folder/);
        await rejectsWith(fs.stat('escape-dir'), 'PM_ERR_PATH_INVALID', /outside the folder/);
        const names = (await fs.readDir('')).map((e) => e.name);
        assert.ok(!names.includes('escape-dir') && !names.includes('escape-file'), `escaping links listed: ${names.join(',')}`);
      });

      it('follows a symlink that stays inside the root', async () => {
        assert.equal((await fs.readFile('inner-link.css')).toString(), 'body { color: red }');
        assert.ok((await fs.readDir('')).some((e) => e.name === 'inner-link.css' && !e.isDir));
      });
    }
  });
}

describe('normalizeFsPath', () => {
  it('canonicalises and leaves good paths alone', () => {
    assert.equal(normalizeFsPath(''), '');
    assert.equal(normalizeFsPath('.'), '');
    assert.equal(normalizeFsPath('./a//b/./c/'), 'a/b/c');
    assert.equal(normalizeFsPath('a.b/..c/c..'), 'a.b/..c/c..');
  });

  it('refuses before touching the disk: a DirFS refuses ../outside/secret.txt, which exists', async () => {
    const fs = createDirFS(join(tmp, 'root'));
    await rejectsWith(fs.readFile('../outside/secret.txt'), 'PM_ERR_PATH_INVALID');
    // A root that does not exist still refuses bad paths: the check comes first, not a failed lookup.
    const ghost = createDirFS(join(tmp, 'no-such-root'));
    await rejectsWith(ghost.readFile('../outside/secret.txt'), 'PM_ERR_PATH_INVALID');
    await rejectsWith(ghost.readFile('fine.txt'), 'PM_ERR_NOT_FOUND');
  });
});

describe('OverlayFS specifics', () => {
  it('the first layer wins and folders merge', async () => {
    const fs = createOverlayFS([createMemoryFS({ 'a/x.txt': 'top', 'a/only-top.txt': '1' }), createMemoryFS({ 'a/x.txt': 'bottom', 'a/only-bottom.txt': '2', 'b/y.txt': 'y' })]);
    assert.equal((await fs.readFile('a/x.txt')).toString(), 'top');
    assert.equal((await fs.readFile('b/y.txt')).toString(), 'y');
    assert.deepEqual((await fs.readDir('a')).map((e) => e.name), ['only-bottom.txt', 'only-top.txt', 'x.txt']);
    assert.deepEqual((await fs.readDir('')).map((e) => e.name), ['a', 'b']);
  });
});

for (const dialect of DIALECTS) describe(`installThemeToDb [${dialect.name}]`, { skip: dialect.skip }, () => {
  it('replaces what the folder held before, and leaves other folders alone', async () => {
    const db = await freshDb(dialect.name);
    await migrate(db, themeFileMigrations, 'themes');
    const fs = createDbFS(createThemeFileStore(db, ''));
    assert.equal(await installThemeToDb(db, createMemoryFS({ 'a/theme.json': 'v1', 'a/old.css': 'old', 'ab/keep.txt': 'k' }), 'a'), 2);
    await installThemeToDb(db, createMemoryFS({ 'ab/keep.txt': 'k' }), 'ab');
    assert.equal(await installThemeToDb(db, createMemoryFS({ 'a/theme.json': 'v2', 'a/new.css': 'new' }), 'a'), 2);
    assert.deepEqual((await fs.readDir('a')).map((e) => e.name), ['new.css', 'theme.json']);
    assert.equal((await fs.readFile('a/theme.json')).toString(), 'v2');
    assert.equal((await fs.readFile('ab/keep.txt')).toString(), 'k');
    await rejectsWith(fs.readFile('a/old.css'), 'PM_ERR_NOT_FOUND');
  });
});
