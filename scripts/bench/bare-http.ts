/** Variant (b): bare node:http answering from a Map of gzipped pages. Argv: BIN INDEX. */
import { createServer } from 'node:http';
import { announce, loadBarePages } from './bare-data.js';

const pages = loadBarePages(process.argv[2], process.argv[3]);
const server = createServer((req, res) => {
  const p = pages.get(req.url ?? '/');
  if (!p) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, ['content-type', 'text/html; charset=utf-8', 'content-encoding', 'gzip', 'etag', p.etag, 'content-length', p.length]);
  res.end(p.gz);
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  announce(typeof addr === 'object' && addr ? addr.port : 0);
});
