import { joinFsPath, normalizeFsPath, type ReadonlyFS } from './readonly-fs.js';

async function collect(fs: ReadonlyFS, dir: string, out: string[]): Promise<void> {
  for (const e of await fs.readDir(dir)) {
    const p = joinFsPath(dir, e.name);
    if (e.isDir) await collect(fs, p, out);
    else out.push(p);
  }
}

/**
 * Every file under the folder `dir` of `fs`, with its bytes and mtime, paths
 * relative to the root of `fs`. What `pagemanager install-theme` hands to the
 * theme file store (`createThemeFileStore(db, root).replaceFolder(dir, files)`).
 *
 * @example const files = await readFolderFiles(createDirFS('pm-themes'), 'daybreak');
 */
export async function readFolderFiles(fs: ReadonlyFS, dir: string): Promise<{ path: string; data: Buffer; mtimeMs: number }[]> {
  const clean = normalizeFsPath(dir);
  const files: string[] = [];
  await collect(fs, clean, files);
  return Promise.all(files.map(async (p) => ({ path: p, data: await fs.readFile(p), mtimeMs: (await fs.stat(p))?.mtimeMs ?? Date.now() })));
}
