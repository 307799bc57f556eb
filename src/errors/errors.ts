/**
 * Every error pagemanager returns, declared once: a stable code for programs,
 * an HTTP status, and a message template for people (`{name}` placeholders).
 * The raw cause of an error goes to the log only, never to the client.
 * `docs/errors.md` documents each code; a test checks that it does.
 */
export const ERRORS = {
  PM_ERR_INTERNAL: { status: 500, message: 'Something went wrong on the server. The details are in the server log.' },
  PM_ERR_BAD_REQUEST: { status: 400, message: '{detail}' },
  PM_ERR_VALIDATION: { status: 422, message: 'Some fields need attention.' },
  PM_ERR_NOT_FOUND: { status: 404, message: 'Nothing is here: {what}.' },
  PM_ERR_SITE_NOT_FOUND: { status: 404, message: 'No site is served at this address.' },
  PM_ERR_PAGE_NOT_FOUND: { status: 404, message: 'No page at {urlPath}.' },
  PM_ERR_UNAUTHENTICATED: { status: 401, message: 'Please log in.' },
  PM_ERR_FORBIDDEN: { status: 403, message: 'You do not have permission to {action}.' },
  PM_ERR_HOST_NOT_ALLOWED: { status: 421, message: 'This server does not answer for the host {host}.' },
  PM_ERR_CROSS_ORIGIN: { status: 403, message: 'The request came from another site ({origin}) and was refused.' },
  PM_ERR_BACKUP_INVALID: { status: 422, message: 'The backup cannot be used: {detail}. Nothing was restored.' },
  PM_ERR_BACKUP_NEWER: { status: 409, message: 'This backup was made by a newer pagemanager ({version}): {what} is newer than this program knows ({known}). Upgrade pagemanager, then restore.' },
  PM_ERR_RESTORE_NOT_EMPTY: { status: 409, message: '{what} already holds a site; restore onto an empty data folder or database.' },
  PM_ERR_CSRF: { status: 403, message: 'The form was stale or came from another site. Reload the page and try again.' },
  PM_ERR_LOGIN_FAILED: { status: 401, message: 'Wrong username or password.' },
  PM_ERR_RATE_LIMITED: { status: 429, message: 'Too many attempts. Try again in {retryAfter} seconds.' },
  PM_ERR_CONFLICT: { status: 409, message: '{what} already exists.' },
  PM_ERR_FOREIGN_KEY: { status: 409, message: '{what} refers to something that does not exist, or is still in use.' },
  PM_ERR_DB_UNAVAILABLE: { status: 503, message: 'The database cannot be reached: {detail}' },
  PM_ERR_WEAK_PASSWORD: { status: 422, message: '{detail}' },
  PM_ERR_LAST_URL_DASHBOARD: { status: 409, message: 'This is the last way into the URL dashboard; add another entry before deleting it.' },
  PM_ERR_PATH_INVALID: { status: 400, message: 'The path {path} is not allowed: {reason}.' },
  PM_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload is larger than the {limit} limit.' },
  PM_ERR_THEME_BROKEN: { status: 500, message: 'The theme {themeId} has an error: {detail}' },
  PM_ERR_THEME_NOT_FOUND: { status: 404, message: 'There is no theme {themeId}.' },
  PM_ERR_TEMPLATE_NOT_FOUND: { status: 404, message: 'The theme {themeId} has no template {templateName}.' },
  PM_ERR_CONFIG: { status: 500, message: 'Configuration problem: {detail}' },
  PM_ERR_PLUGIN_INIT: { status: 500, message: 'The plugin {plugin} failed to start: {detail}' },
  PM_ERR_LAST_SUPERADMIN: { status: 409, message: 'The site needs at least one superadmin; make someone else superadmin first.' },
  PM_ERR_MEDIA_EMPTY: { status: 400, message: 'The file {name} is empty.' },
  PM_ERR_MEDIA_TYPE: { status: 415, message: 'The file {name} cannot be uploaded: {reason}' },
  PM_ERR_MEDIA_UNREADABLE: { status: 422, message: 'The file {name} is not a readable {type}: {reason}' },
  PM_ERR_MEDIA_PIXELS: { status: 413, message: 'The picture {name} is {width}×{height} pixels; pictures may have at most {limit} megapixels.' },
  PM_ERR_MEDIA_IN_USE: { status: 409, message: 'The file {name} is used on {where}; take it out of those pages first.' },
  PM_ERR_QUOTA_EXCEEDED: { status: 413, message: 'This would pass the site’s storage quota of {limit} ({used} used: {parts}; {needed} more needed). Delete files, pages or posts, or ask for a larger quota.' },
  PM_ERR_DELETE_SELF: { status: 409, message: 'You cannot delete your own account; another admin can.' },
  PM_ERR_USER_NOT_FOUND: { status: 404, message: 'No user named "{username}".' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** What an error code stands for: the HTTP status and the message template. */
export interface ErrorDef {
  status: number;
  message: string;
}

/** A code a plugin declares in its own `errors` list (same shape: PM_ERR_ and capitals). */
export type DeclaredErrorCode = `PM_ERR_${string}`;

/** Codes are PM_ERR_ followed by capitals, digits and underscores. */
export const ERROR_CODE_PATTERN = /^PM_ERR_[A-Z0-9_]+$/;

export class PmError extends Error {
  /** A code from ERRORS, or one a plugin declared (see `PluginServer.error`). */
  readonly code: ErrorCode | DeclaredErrorCode;
  readonly status: number;
  readonly params: Record<string, string | number>;
  /** Per-field messages, for PM_ERR_VALIDATION. */
  readonly fields?: Record<string, string>;
  /**
   * The same error told to the operator (CLI, log) with what clients must not see, such as a
   * file's absolute path. `message` is always safe to show a client.
   */
  readonly privateMessage?: string;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, opts: { cause?: unknown; fields?: Record<string, string>; privateMessage?: string; def?: ErrorDef } = {}) {
    const def: ErrorDef = opts.def ?? ERRORS[code];
    super(def.message.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? k)), { cause: opts.cause });
    this.name = 'PmError';
    this.code = code;
    this.status = def.status;
    this.params = params;
    this.fields = opts.fields;
    this.privateMessage = opts.privateMessage;
  }

  /**
   * An error with a code a plugin declared: the plugin API's `server.error()`
   * builds these from the plugin's own list, so the status and message come
   * from one place there too.
   */
  static of(code: DeclaredErrorCode, def: ErrorDef, params: Record<string, string | number> = {}, opts: { cause?: unknown; fields?: Record<string, string> } = {}): PmError {
    return new PmError(code as ErrorCode, params, { ...opts, def });
  }

  toJSON(): { code: ErrorCode | DeclaredErrorCode; message: string; fields?: Record<string, string> } {
    return this.fields ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message };
  }
}

export function isPmError(e: unknown, code?: ErrorCode | DeclaredErrorCode): e is PmError {
  return e instanceof PmError && (code === undefined || e.code === code);
}
