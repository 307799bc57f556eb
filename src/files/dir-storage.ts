import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { checkKey, checkPrefix, type FileStorage, type StoredFile } from './file-storage.js';

/**
 * A folder as a FileStorage. A write goes to a temporary file beside the
 * target and is renamed into place, so a crash leaves the old file or the new
 * one, never half of one.
 */
export function createDirStorage(root: string): FileStorage {
  const pathOf = (key: string) => join(root, ...checkKey(key).split('/'));

  async function walk(dir: string, out: StoredFile[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const ent of entries) {
      const p = join(dir, ent.name);
      if (ent.name.startsWith('.')) continue; // temporary files
      if (ent.isDirectory()) await walk(p, out);
      else if (ent.isFile()) out.push({ key: relative(root, p).split(sep).join('/'), size: (await stat(p)).size });
    }
  }

  return {
    kind: 'folder',
    location: root,
    async put(key, body) {
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      const tmp = join(dirname(target), `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        await writeFile(tmp, body);
        await rename(tmp, target);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async get(key, range) {
      let fh;
      try {
        fh = await open(pathOf(key), 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
        throw e;
      }
      try {
        if (!range) return await fh.readFile();
        const size = (await fh.stat()).size;
        const end = Math.min(range.end, size - 1);
        const len = Math.max(0, end - range.start + 1);
        const buf = Buffer.alloc(len);
        if (len) await fh.read(buf, 0, len, range.start);
        return buf;
      } finally {
        await fh.close();
      }
    },
    async stat(key) {
      try {
        const s = await stat(pathOf(key));
        return s.isFile() ? { size: s.size } : undefined;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async list(prefix) {
      checkPrefix(prefix);
      // Walk only the folder the prefix names, then filter by the rest.
      const cut = prefix.lastIndexOf('/');
      const base = cut === -1 ? root : join(root, ...prefix.slice(0, cut).split('/'));
      const out: StoredFile[] = [];
      await walk(base, out);
      return out.filter((f) => f.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async close() {},
  };
}
