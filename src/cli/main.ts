import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isPmError } from '../errors/errors.js';
import { runtime } from '../app/runtime.js';
import { COMMANDS, type Command } from './commands.js';

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  dir: { type: 'string' },
  dsn: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const COMMON_HELP = [
  'Options every command takes:',
  '  --dir DIR     the data folder (PM_DIR; default ./pagemanager-data; the executable: beside itself, else ~/pagemanager-data)',
  '  --dsn DSN     postgres://… or a SQLite file path (PM_DSN; default DIR/pagemanager.db)',
  '  --debug       show stack traces',
].join('\n');

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'pagemanager — a self-hosted CMS in one program',
    '',
    'Usage: pagemanager [command] [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'With no command, pagemanager runs `serve`.',
    COMMON_HELP,
    '  --help, -h    help for a command: pagemanager serve --help',
    '  --version     print the version',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`pagemanager ${runtime().version}\n`);
    return 0;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const first = argv[0];
  let name = 'serve';
  let rest = argv;
  if (first !== undefined && !first.startsWith('-')) {
    name = first;
    rest = argv.slice(1);
  }
  const debug = argv.includes('--debug');
  const cmd: Command | undefined = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`pagemanager: unknown command "${name}". Run pagemanager --help for the list.\n`);
    return 2;
  }
  // `--trust-proxy` alone (at the end, or before another flag) takes its default value.
  for (const [opt, value] of Object.entries(cmd.optionalValues ?? {})) {
    rest = rest.map((a, i) => (a === `--${opt}` && (i === rest.length - 1 || rest[i + 1]!.startsWith('-')) ? `--${opt}=${value}` : a));
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...cmd.options }, strict: true, allowPositionals: cmd.positionals ?? false }));
  } catch (e) {
    // Node's parseArgs messages may span lines, lack a full stop, or go on about `--` and `--opt=-X`.
    const msg = (e as Error).message
      .replace(/[.\s]*To specify[\s\S]*$/, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/([^.?!])$/, '$1.');
    process.stderr.write(`pagemanager ${name}: ${msg} Run pagemanager ${name} --help.\n`);
    return 2;
  }
  if (values.help) {
    // serve's help lists the common options among its own; the others get them appended.
    process.stdout.write(cmd.help.includes('--dsn') ? `${cmd.help}\n` : `${cmd.help}\n\n${COMMON_HELP}\n`);
    return 0;
  }
  try {
    return await cmd.run(values, positionals);
  } catch (e) {
    if ((e as { code?: string }).code === 'PM_CANCELLED') return 130;
    // The operator's own terminal: the full story, paths included.
    const msg = isPmError(e) ? (e.privateMessage ?? e.message) : (e as Error).message;
    process.stderr.write(`pagemanager ${name}: ${msg}\n`);
    if (debug) process.stderr.write(`${(e as Error).stack}\n${(e as Error).cause ? `cause: ${String(((e as Error).cause as Error)?.stack ?? (e as Error).cause)}\n` : ''}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // serve keeps the process alive itself; every other command ends here.
    if (code !== -1) process.exit(code);
  },
  (e) => {
    process.stderr.write(`pagemanager: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
