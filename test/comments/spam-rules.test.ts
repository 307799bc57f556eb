// Each rule of pm-plugins/comments/spam-rules.ts on its own: what earns its points and what
// does not (the near miss a real reader writes). The corpus test shows how they add up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  findLinks, guessLanguage, PUBLISH_AT, ruleInput, scoreComment, SPAM_AT, SPAM_RULES,
  type CommentCandidate, type SpamFacts,
} from '../../pm-plugins/comments/spam-rules.js';

const EN: SpamFacts = { bodySeenBefore: false, siteLanguage: 'en' };
const READER = 'The second example helped me understand the cache, thank you.';

/** The points one rule gives a comment. */
function rule(name: string, c: Partial<CommentCandidate>, facts: Partial<SpamFacts> = {}): number {
  const r = SPAM_RULES.find((x) => x.name === name);
  assert.ok(r, `no rule named ${name}`);
  return r.score(ruleInput({ body: READER, name: 'Ada', ...c }, { ...EN, ...facts }));
}

describe('spam rules, one by one', () => {
  test('every rule has a name, a description and a test below', () => {
    const names = SPAM_RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, 'rule names are unique');
    for (const r of SPAM_RULES) assert.ok(r.description.length > 10, `${r.name} has a description`);
    assert.deepEqual(names.filter((n) => !TESTED.has(n)), [], 'every rule is tested here');
  });

  test('links: two or fewer is +2, more is −1 each', () => {
    assert.equal(rule('links', { body: READER }), 2);
    assert.equal(rule('links', { body: 'See https://a.example/x and https://b.example/y for both.' }), 2);
    assert.equal(rule('links', { body: 'https://a.example https://b.example http://c.example www.d.example' }), -4);
    // A bare domain with a path is a link too, as are BBCode and HTML hrefs.
    assert.equal(findLinks('go to cheap-pills.top/buy now').length, 1);
    assert.equal(findLinks('[url=http://x.example]x[/url] <a href="http://y.example">y</a>').length, 2);
    assert.equal(findLinks('[x](javascript:alert(1))').length, 1);
  });

  test('length: over 20 characters is +2, under 20 is −1', () => {
    assert.equal(rule('length', { body: READER }), 2);
    assert.equal(rule('length', { body: 'Thanks!' }), -1);
    // The URLs do not count as text: a long link alone is not a long comment.
    assert.equal(rule('length', { body: 'ok https://example.com/a/very/long/path/that/is/not/text' }), -1);
  });

  test('only-a-url: a body that is just a link is −5', () => {
    assert.equal(rule('only-a-url', { body: 'http://bit.ly/3xFree' }), -5);
    assert.equal(rule('only-a-url', { body: 'www.cheap-pills.top' }), -5);
    assert.equal(rule('only-a-url', { body: 'The docs moved: https://example.com/docs' }), 0);
  });

  test('link-in-name: a URL or domain as the name is −3', () => {
    assert.equal(rule('link-in-name', { name: 'http://casino.example' }), -3);
    assert.equal(rule('link-in-name', { name: 'bestdeals.shop' }), -3);
    assert.equal(rule('link-in-name', { name: 'J. R. Hartley' }), 0);
  });

  test('digits-in-name: three digits or more is −1', () => {
    assert.equal(rule('digits-in-name', { name: 'lisa1987' }), -1);
    assert.equal(rule('digits-in-name', { name: 'Louis XIV' }), 0);
    assert.equal(rule('digits-in-name', { name: 'dave_2' }), 0);
  });

  test('keyword-name: a sales phrase as the name is −2', () => {
    assert.equal(rule('keyword-name', { name: 'Cheap Viagra Online' }), -2);
    assert.equal(rule('keyword-name', { name: 'best seo services in town now' }), -2);
    assert.equal(rule('keyword-name', { name: 'María José García' }), 0);
  });

  test('spam-words: −2 each, at most −6, whole words only', () => {
    assert.equal(rule('spam-words', { body: 'buy viagra' }), -2);
    assert.equal(rule('spam-words', { body: 'viagra cialis levitra tramadol casino' }), -6);
    assert.equal(rule('spam-words', { body: READER, website: 'http://poker-room.example' }), -2);
    // "spills" is not "pills"; "Casinos of Monte Carlo" in a history post would be (the price of a word list).
    assert.equal(rule('spam-words', { body: 'The milk spills when the jug is too full.' }), 0);
    assert.equal(rule('spam-words', { body: 'Лучшее казино' }), -2);
  });

  test('generic-praise: −2; −4 with a website, a link or two such phrases; −1 when a real comment follows', () => {
    assert.equal(rule('generic-praise', { body: 'Nice post!' }), -2);
    assert.equal(rule('generic-praise', { body: 'Nice post, thanks for sharing!' }), -4);
    assert.equal(rule('generic-praise', { body: 'Hello, neat post.' }), -2);
    assert.equal(rule('generic-praise', { body: 'Great article', website: 'http://x.example' }), -4);
    assert.equal(rule('generic-praise', { body: 'You are a skilled blogger. I will bookmark your blog.' }), -4);
    assert.equal(rule('generic-praise', { body: 'Great post. For the record, the museum is free on the first Sunday of the month.' }), -1);
    assert.equal(rule('generic-praise', { body: 'The post on WAL was great, but step 3 failed for me.' }), 0);
  });

  test('consonant-runs: −2 per run of six consonants, at most −6; real words and code are spared', () => {
    assert.equal(rule('consonant-runs', { body: 'xkcdqwrtz is my fav' }), -2);
    assert.equal(rule('consonant-runs', { body: 'fhgjkd qwrtzp bcdfgh vbnmqw' }), -6);
    assert.equal(rule('consonant-runs', { body: 'The strengths of Schwarzenegger films.' }), 0);
    assert.equal(rule('consonant-runs', { body: 'Call `strncpy` with care.' }), 0);
    assert.equal(rule('consonant-runs', { body: READER, name: 'qwrtzpsd' }), -2);
  });

  test('seen-before: a repeated body is −3', () => {
    assert.equal(rule('seen-before', {}, { bodySeenBefore: true }), -3);
    assert.equal(rule('seen-before', {}, { bodySeenBefore: false }), 0);
  });

  test('suspicious-tld: −2 per website or link on a cheap-spam TLD, at most −4; the site’s own is fine', () => {
    assert.equal(rule('suspicious-tld', { website: 'http://best-deals.xyz' }), -2);
    assert.equal(rule('suspicious-tld', { website: 'http://a.top', body: 'see http://b.top and http://c.club' }), -4);
    assert.equal(rule('suspicious-tld', { website: 'https://example.org' }), 0);
    assert.equal(rule('suspicious-tld', { website: 'https://yandex.ru' }), -2);
    assert.equal(rule('suspicious-tld', { website: 'https://yandex.ru' }, { siteLanguage: 'ru' }), 0);
  });

  test('shortened-link: a link through a shortener is −2', () => {
    assert.equal(rule('shortened-link', { body: 'look https://bit.ly/abc' }), -2);
    assert.equal(rule('shortened-link', { body: 'look https://www.tinyurl.com/abc' }), -2);
    assert.equal(rule('shortened-link', { body: 'look https://example.com/abc' }), 0);
  });

  test('long-link: a link past 80 characters or with affiliate tracking is −1', () => {
    assert.equal(rule('long-link', { body: 'see https://example.com/?ref=blog' }), -1);
    assert.equal(rule('long-link', { body: `see https://example.com/${'a'.repeat(80)}` }), -1);
    assert.equal(rule('long-link', { body: 'see https://example.com/docs/api' }), 0);
  });

  test('html-or-bbcode: HTML links or [url=] in a markdown box is −3', () => {
    assert.equal(rule('html-or-bbcode', { body: '[url=http://x.example]x[/url]' }), -3);
    assert.equal(rule('html-or-bbcode', { body: '<a href="http://x.example">x</a>' }), -3);
    assert.equal(rule('html-or-bbcode', { body: 'A [markdown link](https://example.com) is fine.' }), 0);
  });

  test('shouting: mostly capitals is −2, "!!!" is −1', () => {
    assert.equal(rule('shouting', { body: 'MY EX IS BACK THANKS TO THE GREAT SPELL CASTER' }), -2);
    assert.equal(rule('shouting', { body: 'Amazing results!!!' }), -1);
    assert.equal(rule('shouting', { body: 'Amazing results!!' }), 0);
    assert.equal(rule('shouting', { body: 'Use the NASA API, not the ESA one.' }), 0);
    assert.equal(rule('shouting', { body: 'OK!' }), 0);
  });

  test('contact-me: a phone number or messenger handle is −3', () => {
    assert.equal(rule('contact-me', { body: 'Contact him on WhatsApp for help' }), -3);
    assert.equal(rule('contact-me', { body: 'call +234 555 0100 now' }), -3);
    assert.equal(rule('contact-me', { body: 'Version 2.4.1 fixed it in 2024.' }), 0);
  });

  test('language: −3 for another script, −1 for another Latin-script language, nothing when unsure', () => {
    const ru = 'Лучшее предложение для вас, переходите по ссылке и получите подарок';
    assert.equal(rule('language', { body: ru }), -3);
    assert.equal(rule('language', { body: ru }, { siteLanguage: 'ru-RU' }), 0);
    const fr = 'Merci pour cet article, je ne savais pas que le cache était aussi simple à mettre en place.';
    assert.equal(rule('language', { body: fr }), -1);
    assert.equal(rule('language', { body: fr }, { siteLanguage: 'fr' }), 0);
    // Too short to tell, or a site language the heuristic does not know: no judgement.
    assert.equal(rule('language', { body: 'Merci !' }), 0);
    assert.equal(rule('language', { body: READER }, { siteLanguage: 'vi' }), 0);
    assert.equal(guessLanguage('とても分かりやすい記事でした。ありがとうございます。')?.languages.includes('ja'), true);
    assert.equal(guessLanguage(READER)?.languages[0], 'en');
  });

  test('website-in-body: the website’s host linked again in the body is −1', () => {
    assert.equal(rule('website-in-body', { website: 'https://www.shop.example', body: 'buy at https://shop.example/x' }), -1);
    assert.equal(rule('website-in-body', { website: 'https://me.example', body: 'see https://docs.example/x' }), 0);
  });

  test('conversation: a question, code, a quote or an @name, without links or a website, is +1', () => {
    assert.equal(rule('conversation', { body: 'Is this a paid theme?', website: 'http://essays.example' }), 0);
    assert.equal(rule('conversation', { body: 'Does this work on Windows?' }), 1);
    assert.equal(rule('conversation', { body: 'Use `const` here.' }), 1);
    assert.equal(rule('conversation', { body: '> quoted\n\nI agree.' }), 1);
    assert.equal(rule('conversation', { body: '@Marcus same here.' }), 1);
    assert.equal(rule('conversation', { body: 'Do you need backlinks? www.links.example/order' }), 0);
    assert.equal(rule('conversation', { body: READER }), 0);
  });
});

const TESTED = new Set([
  'links', 'length', 'only-a-url', 'link-in-name', 'digits-in-name', 'keyword-name', 'spam-words', 'generic-praise',
  'consonant-runs', 'seen-before', 'suspicious-tld', 'shortened-link', 'long-link', 'html-or-bbcode', 'shouting',
  'contact-me', 'language', 'website-in-body', 'conversation',
]);

describe('scoreComment', () => {
  test('adds the rules up, lists the reasons and decides by the thresholds', () => {
    const ham = scoreComment({ body: READER, name: 'Ada' }, EN);
    assert.equal(ham.verdict, 'publish');
    assert.equal(ham.points, ham.reasons.reduce((s, r) => s + r.points, 0));
    assert.ok(ham.reasons.every((r) => r.points !== 0));
    const spam = scoreComment({ body: 'Nice post! Visit http://cheap-pills.top', name: 'Best Pharmacy 24', website: 'http://cheap-pills.top' }, EN);
    assert.equal(spam.verdict, 'spam');
    assert.ok(spam.points <= SPAM_AT);
    assert.ok(spam.reasons.some((r) => r.rule === 'suspicious-tld'));
  });

  test('a plain short thank-you is held, a sentence is published', () => {
    assert.equal(scoreComment({ body: 'Thanks!', name: 'Lena' }, EN).verdict, 'hold');
    assert.equal(scoreComment({ body: 'Your link to part two goes to part one.', name: 'dan' }, EN).verdict, 'publish');
    assert.equal(PUBLISH_AT, 3);
  });

  test('around zero is held for a person to decide', () => {
    // A short generic compliment with a website: bots' favourite, and now and then a shy reader.
    const v = scoreComment({ body: 'Great post, thanks for sharing', name: 'Kim', website: 'https://kim.example' }, EN);
    assert.ok(v.points > SPAM_AT && v.points < PUBLISH_AT, `points ${v.points}`);
    assert.equal(v.verdict, 'hold');
  });

  test('odd input does not throw: empty strings, huge bodies, only punctuation', () => {
    for (const body of ['', '   ', '!!!', 'a'.repeat(100_000), '🙂'.repeat(500), 'http://'.repeat(2000)]) {
      const v = scoreComment({ body, name: '' }, { bodySeenBefore: false, siteLanguage: '' });
      assert.ok(['publish', 'hold', 'spam'].includes(v.verdict));
      assert.ok(Number.isFinite(v.points));
    }
  });
});
