/**
 * A site's comment settings: defaults from `[plugins.comments]` in config.toml,
 * each overridable per site in the dashboard (stored in `pm_comment_site`).
 * Every value is checked here once, for both sources.
 */

export interface CommentSettings {
  /** What a comment the spam rules find fine becomes: shown at once, or held for approval. */
  moderation: 'publish' | 'hold';
  /** Commenting closes by itself this many days after a page first showed the form (0: never). */
  autoCloseDays: number;
  /** At most this many comments from one IP address per hour… */
  perIpPerHour: number;
  /** …and on one page per hour. */
  perPagePerHour: number;
  /** Automatic shut-off: more than this many comments across the site within `shutoffWindowMinutes` closes commenting. */
  shutoffMax: number;
  shutoffWindowMinutes: number;
  /** Automatic shut-off: the comments of the site may take at most this many bytes. */
  capBytes: number;
  /** How long an automatic shut-off lasts before commenting reopens by itself. */
  cooldownMinutes: number;
  /** The "check your comment" step must be open at least this long before "Send"… */
  minDwellSeconds: number;
  /** …and at most this long. */
  maxAgeMinutes: number;
}

export const DEFAULT_SETTINGS: CommentSettings = {
  moderation: 'publish',
  autoCloseDays: 0,
  perIpPerHour: 6,
  perPagePerHour: 30,
  shutoffMax: 30,
  shutoffWindowMinutes: 10,
  capBytes: 20 * 1024 * 1024,
  cooldownMinutes: 60,
  minDwellSeconds: 3,
  maxAgeMinutes: 120,
};

/** The limits each number must keep, and its config.toml / form name. */
const NUMBERS: { key: Exclude<keyof CommentSettings, 'moderation'>; name: string; min: number; max: number; label: string }[] = [
  { key: 'autoCloseDays', name: 'auto_close_days', min: 0, max: 36500, label: 'Close comments after (days)' },
  { key: 'perIpPerHour', name: 'per_ip_per_hour', min: 1, max: 10000, label: 'Comments per IP address per hour' },
  { key: 'perPagePerHour', name: 'per_page_per_hour', min: 1, max: 100000, label: 'Comments per page per hour' },
  { key: 'shutoffMax', name: 'shutoff_max', min: 1, max: 1000000, label: 'Shut-off: comments across the site' },
  { key: 'shutoffWindowMinutes', name: 'shutoff_window_minutes', min: 1, max: 10080, label: 'Shut-off: within (minutes)' },
  { key: 'capBytes', name: 'cap_bytes', min: 1024, max: 1024 ** 4, label: 'Shut-off: total size of comments (bytes)' },
  { key: 'cooldownMinutes', name: 'cooldown_minutes', min: 1, max: 43200, label: 'Reopen after (minutes)' },
  { key: 'minDwellSeconds', name: 'min_dwell_seconds', min: 0, max: 600, label: 'Minimum time before sending (seconds)' },
  { key: 'maxAgeMinutes', name: 'max_age_minutes', min: 1, max: 10080, label: 'Maximum time before sending (minutes)' },
];

export const SETTING_FIELDS = NUMBERS;

/**
 * Reads settings from an object of snake_case names (config.toml, a form body, stored JSON):
 * values that are missing keep `base`'s; values that are wrong are reported by name.
 */
export function readSettings(src: Record<string, unknown>, base: CommentSettings): { settings: CommentSettings; errors: Record<string, string> } {
  const out: CommentSettings = { ...base };
  const errors: Record<string, string> = {};
  const m = src.moderation;
  if (m !== undefined && m !== '') {
    if (m === 'publish' || m === 'hold') out.moderation = m;
    else errors.moderation = 'Choose “publish” or “hold”.';
  }
  for (const f of NUMBERS) {
    const v = src[f.name];
    if (v === undefined || v === '') continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < f.min || n > f.max) errors[f.name] = `Enter a whole number from ${f.min} to ${f.max}.`;
    else out[f.key] = n;
  }
  return { settings: out, errors };
}

/** The settings as snake_case names (what is stored, and what a form shows). */
export function writeSettings(s: CommentSettings): Record<string, string | number> {
  const o: Record<string, string | number> = { moderation: s.moderation };
  for (const f of NUMBERS) o[f.name] = s[f.key];
  return o;
}
