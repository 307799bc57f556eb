/**
 * Two instances on one PostgreSQL database, two editors saving neighbouring
 * posts at once, round after round: the fan-outs take turns across
 * instances (`Db.withLock`), so in the end every post page shows its own
 * current title and links to its neighbours by theirs.
 *
 * The overlap is made, not hoped for: instance a talks to the database
 * through a proxy that adds 25 ms each way, so its fan-out takes a second
 * or two, and b's save starts 150–450 ms after a has written its second
 * page. Without the lock, a then stores a neighbour's page rendered
 * from what it read before b's save (checked by taking the lock out: rounds
 * leave "post-2 lacks “Post 2 round 0”" and so on, every round).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { POSTGRES_URL } from '../helpers/dialects.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { dropSchema, startBlogFixture, type BlogFixture } from './blog-fixture.js';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POSTS = 6;
/** How long after a's second page b starts, round by round (a's page takes about a second to render). */
const PAUSES = [150, 250, 350, 450];
const ROUNDS = PAUSES.length;

test('two instances saving neighbouring posts at once leave every neighbour link right', { skip: POSTGRES_URL ? false : 'PM_TEST_POSTGRES_URL is not set' }, async () => {
  const schema = `pm_blog_lock_${process.pid}`;
  const target = new URL(POSTGRES_URL!);
  const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const a = await startBlogFixture('postgres', { schema, flags: { dsn: proxy.urlFor(POSTGRES_URL!) } });
  const b = await startBlogFixture('postgres', { schema });
  try {
    const ids: string[] = [];
    const titles: string[] = [];
    const t0 = Date.now() - (POSTS + 1) * DAY;
    for (let i = 0; i < POSTS; i++) {
      const r = await b.api('editor', 'POST', '/pm/api/posts', { title: `Post ${i}`, slug: `post-${i}`, body: `Text ${i}`, status: 'published', publishAt: t0 + i * DAY });
      assert.equal(r.statusCode, 201, r.body);
      ids.push(r.json().post.postId);
      titles.push(`Post ${i}`);
    }
    const rename = async (f: BlogFixture, i: number, title: string) => {
      const r = await f.api('editor', 'PATCH', `/pm/api/posts/${ids[i]}`, { title });
      assert.equal(r.statusCode, 200, r.body);
      titles[i] = title;
    };
    /** Each stored post page (as the database has it, no cache between) without its own or a neighbour's current title. */
    const stale = async () => {
      const out: string[] = [];
      for (let i = 0; i < POSTS; i++) {
        const page = await b.t.app.stores.pages.get(b.siteId, '', `/blog/post-${i}`);
        const body = page?.gz ? gunzipSync(page.gz).toString('utf8') : '';
        for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < POSTS && !body.includes(titles[j]!)) out.push(`post-${i} lacks “${titles[j]}”`);
      }
      return out;
    };
    const wrong: string[] = [];
    proxy.delay(25);
    for (let round = 0; round < ROUNDS; round++) {
      const i = 1 + (round % (POSTS - 2));
      // a renames post i; b renames its neighbour i + 1 a moment after a's fan-out has written its
      // first two pages (post i's own and the one before it), while a renders post i + 1's.
      const after = 2;
      const pause = PAUSES[round]!;
      let written = 0;
      let bSaved: Promise<void> | undefined;
      const onWrite = () => {
        if (++written === after) bSaved = sleep(pause).then(() => rename(b, i + 1, `Post ${i + 1} round ${round}`));
      };
      a.t.app.events.on('page.changed', onWrite);
      try {
        await rename(a, i, `Post ${i} round ${round}`);
      } finally {
        a.t.app.events.off('page.changed', onWrite);
      }
      assert.ok(bSaved, `round ${round}: a's fan-out wrote ${written} pages`);
      await bSaved;
      wrong.push(...(await stale()).map((w) => `round ${round}: ${w}`));
    }
    assert.deepEqual(wrong, []);
  } finally {
    proxy.delay(0);
    await a.t.app.close();
    await b.t.app.close();
    await proxy.close();
    await dropSchema(schema);
  }
});
