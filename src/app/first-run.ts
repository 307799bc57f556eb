import type { TemplateUrlService } from '../pages/template-url-service.js';
import type { Site, Stores } from '../store/types.js';

/** The home page a brand-new site starts with: what to do next, and the way into the dashboard. */
export const WELCOME_DATA = {
  title: 'Welcome',
  eyebrow: 'pagemanager',
  heading: 'Your site is ready',
  intro:
    'This is your home page, served from memory. Open the **dashboard** to change this text, add pages from the theme’s templates, set redirects, or pick another theme.',
  ctaLabel: 'Open the dashboard',
  ctaUrl: '/pm/',
  secondaryLabel: 'Site settings',
  secondaryUrl: '/pm/settings',
  sectionsHeading: 'What to do next',
  sections: [
    { heading: 'Edit this page', body: 'In the URL dashboard, open “/” and fill in the form: the page is rendered once when you save it.', linkLabel: 'Go to the URL dashboard', linkUrl: '/pm/urls' },
    { heading: 'Add pages', body: 'About, contact, gallery, résumé, talks: each template comes with a form, a preview and sample content.', linkLabel: 'Create a page', linkUrl: '/pm/urls' },
    { heading: 'Make it yours', body: 'Give the site a title and a description, choose its languages, and invite the people who help you run it.', linkLabel: 'Open settings', linkUrl: '/pm/settings' },
  ],
};

/**
 * Gives an empty site its welcome page. A site that has any page at `/` or
 * any template URL is left alone, so later starts change nothing.
 */
export async function ensureWelcomePage(opts: { stores: Stores; templates: TemplateUrlService; site: Site; themeId: string }): Promise<boolean> {
  const { stores, site } = opts;
  if (await stores.pages.get(site.siteId, '', '/')) return false;
  if ((await stores.templateUrls.list(site.siteId)).length > 0) return false;
  const r = await opts.templates.save({ siteId: site.siteId, langcode: '', urlPath: '/', themeId: opts.themeId, templateName: 'home', data: WELCOME_DATA });
  return r.ok;
}
