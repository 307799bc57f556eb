/**
 * Atom (RFC 4287) and RSS 2.0 feeds of the latest posts. Links and ids are
 * absolute; an entry's id is built from the post's id and creation day, so
 * it stays the same when the post is edited or its slug changes.
 */
import type { Post } from './post-store.js';

export interface FeedEntry {
  post: Post;
  url: string;
  authors: string[];
  tags: string[];
  /** Sanitised HTML: the whole post, or its excerpt. */
  content: string;
  summary: string;
}

export interface FeedInfo {
  title: string;
  subtitle: string;
  /** Absolute URL of the listing the feed mirrors. */
  home: string;
  /** Absolute URL of this feed. */
  self: string;
  host: string;
  /** Stable id of the feed (absolute). */
  id: string;
  entries: FeedEntry[];
}

const x = (s: string) =>
  String(s)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export const entryId = (host: string, p: Post) => `tag:${host},${new Date(p.createdAt).toISOString().slice(0, 10)}:post:${p.postId}`;
const updated = (entries: FeedEntry[]) => new Date(Math.max(0, ...entries.map((e) => e.post.updatedAt))).toISOString();

export function atomFeed(f: FeedInfo): string {
  const items = f.entries.map(
    (e) => `  <entry>
    <id>${x(entryId(f.host, e.post))}</id>
    <title type="text">${x(e.post.title)}</title>
    <link rel="alternate" type="text/html" href="${x(e.url)}"/>
    <published>${new Date(e.post.publishAt ?? e.post.createdAt).toISOString()}</published>
    <updated>${new Date(e.post.updatedAt).toISOString()}</updated>
${e.authors.map((a) => `    <author><name>${x(a)}</name></author>`).join('\n')}
${e.tags.map((t) => `    <category term="${x(t)}"/>`).join('\n')}
    <summary type="text">${x(e.summary)}</summary>
    <content type="html">${x(e.content)}</content>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${x(f.id)}</id>
  <title type="text">${x(f.title)}</title>
${f.subtitle ? `  <subtitle type="text">${x(f.subtitle)}</subtitle>\n` : ''}  <updated>${updated(f.entries)}</updated>
  <link rel="self" type="application/atom+xml" href="${x(f.self)}"/>
  <link rel="alternate" type="text/html" href="${x(f.home)}"/>
  <author><name>${x(f.title)}</name></author>
  <generator uri="https://github.com/pagemanager">pagemanager</generator>
${items.join('\n')}
</feed>
`;
}

export function rssFeed(f: FeedInfo): string {
  const items = f.entries.map(
    (e) => `    <item>
      <title>${x(e.post.title)}</title>
      <link>${x(e.url)}</link>
      <guid isPermaLink="false">${x(entryId(f.host, e.post))}</guid>
      <pubDate>${new Date(e.post.publishAt ?? e.post.createdAt).toUTCString()}</pubDate>
${e.tags.map((t) => `      <category>${x(t)}</category>`).join('\n')}
      <description>${x(e.content)}</description>
    </item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${x(f.title)}</title>
    <link>${x(f.home)}</link>
    <description>${x(f.subtitle || f.title)}</description>
    <atom:link href="${x(f.self)}" rel="self" type="application/rss+xml"/>
    <lastBuildDate>${new Date(updated(f.entries)).toUTCString()}</lastBuildDate>
    <generator>pagemanager</generator>
${items.join('\n')}
  </channel>
</rss>
`;
}
