/**
 * Turning an upload into what is served: with sharp, the orientation applied
 * and every bit of metadata (EXIF, GPS, XMP, comments) dropped, the full size
 * re-encoded in its own format, and a few narrower widths in that format,
 * WebP and AVIF. sharp does its work on libuv's threadpool, so the event loop
 * stays free; the queue bounds how many files are processed at once.
 */
import type { default as SharpFn, Sharp } from 'sharp';
import type { Variant } from './media-store.js';

/**
 * sharp and libvips take about half a second and 30 MiB to load, so they load
 * with the first picture, not at start. Its settings are the library's own
 * process-wide ones; `configureSharp` (the plugin's init) says what they will be.
 */
let sharpOptions = { threads: 1 };
let loading: Promise<typeof SharpFn> | undefined;
export function configureSharp(o: { threads: number }): void {
  sharpOptions = o;
}
function loadSharp(): Promise<typeof SharpFn> {
  return (loading ??= import('sharp').then(({ default: sharp }) => {
    // libvips threads per operation; one file at a time by default, so a busy upload queue leaves a core to the requests.
    sharp.concurrency(sharpOptions.threads);
    sharp.cache(false);
    return sharp;
  }));
}

/** Widths of the responsive variants; only those narrower than the picture are made. */
export const WIDTHS = [320, 640, 1024, 1600, 2400];
/** AVIF is slow to encode: made for these widths and smaller only. */
const AVIF_MAX_WIDTH = 1600;

export interface Encoded extends Variant {
  body: Buffer;
}

export interface ProcessLimits {
  maxPixels: number;
}

/** Header only: the format and the size in pixels, read without decoding the picture. */
export async function readHeader(buf: Buffer): Promise<{ format: string; width: number; height: number; pages: number }> {
  const sharp = await loadSharp();
  const m = await sharp(buf, { limitInputPixels: false, failOn: 'none' }).metadata();
  // Orientation 5-8 turns the picture a quarter: what people see is height × width.
  const turned = (m.orientation ?? 1) >= 5;
  const w = m.width ?? 0;
  const h = m.pageHeight ?? m.height ?? 0;
  return { format: String(m.format ?? ''), width: turned ? h : w, height: turned ? w : h, pages: m.pages ?? 1 };
}

function encode(img: Sharp, format: string): Sharp {
  switch (format) {
    // Efforts chosen for time: mozjpeg took 15× longer than libjpeg on a 12-megapixel photo
    // (6.8 s against 0.44 s) for a few percent fewer bytes; AVIF effort 1 is ~3× faster than 4.
    case 'jpg':
      return img.jpeg({ quality: 82, progressive: true });
    case 'png':
      return img.png({ compressionLevel: 8, effort: 3 });
    case 'webp':
      return img.webp({ quality: 80, effort: 2 });
    case 'avif':
      return img.avif({ quality: 55, effort: 1 });
    default:
      throw new Error(`no encoder for ${format}`);
  }
}

/**
 * Every variant of a picture. GIFs are kept as they are (animation included:
 * re-encoding would lose it), plus a still WebP for thumbnails.
 */
export async function processImage(buf: Buffer, ext: string, limits: ProcessLimits): Promise<Encoded[]> {
  const sharp = await loadSharp();
  // failOn 'truncated' refuses cut-off files; limitInputPixels is a second guard behind the header check.
  const input = () => sharp(buf, { failOn: 'truncated', limitInputPixels: limits.maxPixels, animated: false }).rotate();
  const out: Encoded[] = [];
  if (ext === 'gif') {
    const meta = await readHeader(buf);
    await sharp(buf, { failOn: 'truncated', limitInputPixels: limits.maxPixels }).stats(); // decodes it all: a broken GIF fails here
    out.push({ name: 'full', format: 'gif', width: meta.width, height: meta.height, bytes: buf.length, body: buf });
    const thumb = await input().resize({ width: Math.min(320, meta.width) }).webp({ quality: 75 }).toBuffer({ resolveWithObject: true });
    out.push({ name: 'thumb', format: 'webp', width: thumb.info.width, height: thumb.info.height, bytes: thumb.data.length, body: thumb.data });
    return out;
  }
  // Decode once into raw pixels, oriented; every variant is resized from that.
  const { data, info } = await input().raw().toBuffer({ resolveWithObject: true });
  const raw = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const full = await encode(raw(), ext).toBuffer();
  out.push({ name: 'full', format: ext, width: info.width, height: info.height, bytes: full.length, body: full });
  const widths = WIDTHS.filter((w) => w < info.width);
  const jobs: { name: string; format: string; width: number }[] = [];
  for (const w of widths) {
    if (ext !== 'webp' && ext !== 'avif') jobs.push({ name: `w${w}`, format: ext, width: w });
    jobs.push({ name: `w${w}`, format: 'webp', width: w });
    if (w <= AVIF_MAX_WIDTH) jobs.push({ name: `w${w}`, format: 'avif', width: w });
  }
  if (ext !== 'webp' && info.width <= WIDTHS[WIDTHS.length - 1]) jobs.push({ name: 'full', format: 'webp', width: info.width });
  if (ext !== 'avif' && info.width <= AVIF_MAX_WIDTH) jobs.push({ name: 'full', format: 'avif', width: info.width });
  for (const j of jobs) {
    const img = j.width === info.width ? raw() : raw().resize({ width: j.width });
    const r = await encode(img, j.format).toBuffer({ resolveWithObject: true });
    out.push({ name: j.name, format: j.format, width: r.info.width, height: r.info.height, bytes: r.data.length, body: r.data });
  }
  return out;
}

/** Runs at most `concurrency` tasks at once, the rest in order of arrival. */
export function createQueue(concurrency: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  let idle: (() => void)[] = [];
  const next = () => {
    if (running >= concurrency) return;
    const start = waiting.shift();
    if (start) {
      running++;
      start();
    } else if (running === 0) {
      for (const f of idle) f();
      idle = [];
    }
  };
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push(() => {
          task().then(resolve, reject).finally(() => {
            running--;
            next();
          });
        });
        next();
      });
    },
    get pending() {
      return running + waiting.length;
    },
    /** Resolves when nothing runs or waits. */
    drained(): Promise<void> {
      return running + waiting.length === 0 ? Promise.resolve() : new Promise((r) => idle.push(r));
    },
  };
}
