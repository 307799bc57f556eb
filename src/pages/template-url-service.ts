import type { FieldErrors } from '../forms/index.js';
import type { TemplateUrl } from '../store/types.js';

/** Input of a template URL write. */
export interface TemplateUrlInput {
  siteId: string;
  /** '' for the site's default locale. */
  langcode: string;
  urlPath: string;
  themeId: string;
  templateName: string;
  data: unknown;
}

/**
 * Template data wired to URLs. Saving validates the data against the
 * template's JSON Schema, renders the page once and stores it through the
 * page service; the page is then served from the page store.
 */
export interface TemplateUrlService {
  save(input: TemplateUrlInput): Promise<{ ok: true } | { ok: false; errors: FieldErrors }>;
  /** Renders without saving: the template's sample data when `data` is undefined. */
  /** Renders without saving: the template's sample data when `data` is absent; data is checked against the schema like `save`'s. */
  preview(input: Omit<TemplateUrlInput, 'data'> & { data?: unknown }): Promise<{ ok: true; html: string } | { ok: false; errors: FieldErrors }>;
  /** Renders stored (or about to be stored) data at its URL in `langcode`, with the menus, SEO and languages a saved page gets; stores nothing. */
  render(t: Omit<TemplateUrl, 'updatedAt'>, langcode: string): Promise<{ html: string; headers: Record<string, string> }>;
  /**
   * Renders one stored page again (its own data, or the default's where this language falls
   * back to it) and stores it; nothing else is written. False when there is no such page.
   */
  rerender(siteId: string, langcode: string, urlPath: string): Promise<boolean>;
  /**
   * Moves one langcode's data to another address (a rename): saved and rendered
   * at `to`, its revisions moved along, then removed from `from` (not to the
   * trash). Data that no longer fits its template is refused and nothing moves.
   */
  move(siteId: string, langcode: string, from: string, to: string): Promise<{ ok: true } | { ok: false; errors: FieldErrors }>;
  /** Removes the mapping of one langcode, and its page; it goes to the trash unless `trash: false` (a rename). */
  remove(siteId: string, langcode: string, urlPath: string, opts?: { trash?: boolean }): Promise<boolean>;
  get(siteId: string, langcode: string, urlPath: string): Promise<TemplateUrl | undefined>;
  list(siteId: string): Promise<TemplateUrl[]>;
  /**
   * Renders again, for every template URL of the site and each langcode it is
   * served in (its own, and for the default's data the languages that fall back
   * to it), the pages `shows` picks. Returns them in the order rendered.
   */
  rerenderSite(siteId: string, shows: (t: TemplateUrl, langcode: string) => boolean): Promise<{ langcode: string; urlPath: string }[]>;
  /**
   * Moves every template URL of the site whose template `themeId` also has
   * (same name) onto that theme, data untouched, and renders it; a page that
   * fails to render in the new theme stays where it was. Returns what moved and what stayed.
   */
  moveToTheme(siteId: string, themeId: string, has: (templateName: string) => boolean): Promise<{ moved: { langcode: string; urlPath: string }[]; stayed: TemplateUrl[] }>;
  /** Re-renders every page that uses these themes (after reload); returns how many. */
  rerenderThemes(themeIds: string[]): Promise<number>;
}
