/**
 * Reading a multipart upload: every file into memory up to the per-file limit
 * (a larger one stops the read at the limit and is refused before anything is
 * stored), and the text fields beside them.
 */
import { PmError } from '../../src/plugins/plugin.js';
import type { PmReply, PmRequest } from '../../src/plugins/plugin.js';
import { formatBytes } from '../../src/plugins/plugin.js';

export interface UploadedFile {
  field: string;
  filename: string | undefined;
  body: Buffer;
}

export const MAX_FILES_PER_REQUEST = 20;
/** All the files of one request together, in per-file limits: what one request may hold in memory. */
export const MAX_REQUEST_FILES_TOTAL = 4;

export async function readUpload(request: PmRequest, reply: PmReply, maxBytes: number): Promise<{ files: UploadedFile[]; fields: Record<string, string[]> }> {
  const tooLarge = () => {
    // The rest of the body is not read: the request stops flowing, the answer goes out, then the connection closes.
    request.raw.unpipe();
    request.raw.pause();
    // Closing at once would reset the connection before a client still sending reads the answer; it closes a little later.
    reply.raw.once('finish', () => setTimeout(() => request.raw.socket?.destroy(), 2000).unref());
    return new PmError('PM_ERR_PAYLOAD_TOO_LARGE', { limit: formatBytes(maxBytes) });
  };
  if (!request.isMultipart()) throw new PmError('PM_ERR_BAD_REQUEST', { detail: 'Send the file as multipart/form-data (curl -F file=@photo.jpg).' });
  // A declared length past what any allowed request could be is refused before a byte is read.
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > maxBytes * MAX_REQUEST_FILES_TOTAL + 1024 * 1024) throw tooLarge();
  let total = 0;
  const files: UploadedFile[] = [];
  const fields: Record<string, string[]> = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes + 1, files: MAX_FILES_PER_REQUEST } })) {
      if (part.type === 'file') {
        // Read by hand: at the first byte past the limit the request stops being read (toBuffer would drain it all first).
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of part.file as AsyncIterable<Buffer>) {
          size += c.length;
          total += c.length;
          if (size > maxBytes || total > maxBytes * MAX_REQUEST_FILES_TOTAL) throw tooLarge();
          chunks.push(c);
        }
        if (part.file.truncated) throw tooLarge();
        const body = Buffer.concat(chunks);
        // A file input left empty still sends a part, with no name and no bytes.
        if (!part.filename && body.length === 0) continue;
        files.push({ field: part.fieldname, filename: part.filename, body });
      } else {
        (fields[part.fieldname] ??= []).push(String(part.value ?? ''));
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    if (code === 'FST_FILES_LIMIT') throw new PmError('PM_ERR_BAD_REQUEST', { detail: `At most ${MAX_FILES_PER_REQUEST} files can be sent at once.` });
    if (e instanceof PmError) throw e;
    // Anything else here is the multipart parser's word on a broken body (cut off, bad boundary).
    throw new PmError('PM_ERR_BAD_REQUEST', { detail: `The upload could not be read: ${(e as Error).message}.` }, { cause: e });
  }
  return { files, fields };
}
