/**
 * The dashboard's stylesheet and scripts, built once at start from the files
 * pagemanager ships (so the single executable serves them too): the CSS is the
 * forms' default look followed by ours, so both kinds of form match.
 */
import { makeAsset, type Asset, type PluginServer } from '../../src/plugins/plugin.js';

export interface DashboardAssets {
  css: Asset;
  js: Asset;
  forms: Asset;
}

export async function dashboardAssets(server: Pick<PluginServer, 'forms' | 'shippedFiles'>): Promise<DashboardAssets> {
  const read = async (name: string) => (await server.shippedFiles.readFile(`pm-plugins/dashboard/${name}`)).toString('utf8');
  return {
    css: makeAsset(`${server.forms.styles}\n${await read('dashboard.css')}`, 'text/css; charset=utf-8'),
    js: makeAsset(await read('dashboard.js'), 'text/javascript; charset=utf-8'),
    forms: makeAsset(server.forms.script, 'text/javascript; charset=utf-8'),
  };
}
