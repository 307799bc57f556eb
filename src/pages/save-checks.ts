/**
 * Checks a plugin adds to every save of content, whichever door it comes
 * through: a template page's data (the URL dashboard, the admin API) and a
 * plugin's own content that asks for them (the blog's posts). A check gets
 * the fields as they will be stored and answers errors by field path; any
 * error refuses the save with nothing stored, and the door shows it beside
 * the field with what the user typed. The core knows nothing of what is
 * checked (the media plugin asks that pictures have a description).
 *
 * Renders that store nothing new (re-rendering after a theme or a picture
 * changed) do not run them: only what a user saves is checked.
 */
import type { FieldErrors } from '../forms/index.js';

/** What is about to be saved. */
export interface ContentToSave {
  siteId: string;
  langcode: string;
  /** `page` for a template page's data; a plugin names its own (`post`). */
  kind: string;
  /** The page's address, when it has one already. */
  urlPath?: string;
  /** The fields as they will be stored; error keys are bracket paths into it (`cover`, `sections[0][image]`). */
  data: unknown;
}

export type SaveCheck = (content: ContentToSave) => Promise<FieldErrors | undefined> | FieldErrors | undefined;

/**
 * @example
 *   server.saveChecks.add(async ({ data }) => (hasBadWord(data) ? { title: ['Please keep it polite.'] } : undefined));
 *   const errors = await server.saveChecks.run({ siteId, langcode: '', kind: 'post', data: fields });
 */
export interface SaveChecks {
  add(check: SaveCheck): void;
  /** Every check's errors, merged by field; `{}` when the content may be saved. */
  run(content: ContentToSave): Promise<FieldErrors>;
}

export function createSaveChecks(): SaveChecks {
  const checks: SaveCheck[] = [];
  return {
    add(check) {
      checks.push(check);
    },
    async run(content) {
      const out: FieldErrors = {};
      for (const check of checks) {
        for (const [path, messages] of Object.entries((await check(content)) ?? {})) if (messages?.length) out[path] = [...(out[path] ?? []), ...messages];
      }
      return out;
    },
  };
}
