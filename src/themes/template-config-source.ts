import { PmError, isPmError } from '../errors/errors.js';
import type { ReadonlyFS } from './readonly-fs.js';
import type { TemplateDef } from './theme-manifest.js';

/**
 * Where a template's JSON Schema and sample data come from. The default
 * reads the files the theme declares; another source could fetch them over
 * the network or from a registry.
 */
export interface TemplateConfigSource {
  /**
   * `schema`/`sample` are undefined when the template declares none. A
   * declared file that is missing or not JSON → PmError PM_ERR_THEME_BROKEN.
   */
  load(themeId: string, template: TemplateDef): Promise<{ schema?: unknown; sample?: unknown }>;
}

/** Reads `{themeId}/{template.schema}` and `{themeId}/{template.sample}` from `fs`. */
export function createFsTemplateConfigSource(fs: ReadonlyFS): TemplateConfigSource {
  async function readJson(themeId: string, path: string | undefined, what: string): Promise<unknown> {
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = (await fs.readFile(`${themeId}/${path}`)).toString('utf8');
    } catch (e) {
      if (isPmError(e, 'PM_ERR_NOT_FOUND')) throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: `the ${what} ${path} is missing` });
      throw e;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new PmError('PM_ERR_THEME_BROKEN', { themeId, detail: `the ${what} ${path} is not valid JSON: ${(e as Error).message}` });
    }
  }
  return {
    async load(themeId, template) {
      const [schema, sample] = await Promise.all([readJson(themeId, template.schema, 'schema'), readJson(themeId, template.sample, 'sample')]);
      return { schema, sample };
    },
  };
}
