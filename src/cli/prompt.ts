import { createInterface } from 'node:readline';

/** Asks on the terminal without echoing what is typed. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    const out = process.stderr;
    // Echo off before the question shows, so nothing typed after seeing it is echoed.
    stdin.setRawMode?.(true);
    out.write(question);
    let value = '';
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          cleanup();
          out.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          cleanup();
          out.write('\n');
          return reject(Object.assign(new Error('cancelled'), { code: 'PM_CANCELLED' }));
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}

/** Reads the first line of standard input (for --password-stdin). */
export function readStdinLine(): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line.replace(/\r$/, ''));
    });
    rl.once('close', () => {
      if (!done) resolve('');
    });
  });
}
