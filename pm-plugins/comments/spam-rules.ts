/**
 * Spam scoring for comments: a points system in the spirit of Jonathan Snook's
 * "effective blog comment spam blocker" (2006). Every rule looks at the comment
 * and gives points for (a real sentence, few links) or against (a link dump, a
 * pill name, a .xyz website, a body posted before). The sum decides:
 *
 *   points ≥ PUBLISH_AT     → 'publish' (the caller may still hold it, per setting)
 *   points ≤ SPAM_AT        → 'spam'    (kept in the spam folder, never shown)
 *   in between (near zero)  → 'hold'    (a person decides)
 *
 * All rules and weights live in this file, in `SPAM_RULES`; nothing leaves the
 * server. The corpus test (test/comments/spam-corpus.test.ts) prints how a set of
 * real-looking ham and spam comes out, so a change of weight shows its cost.
 *
 * @example
 * scoreComment({ body: 'Thanks, the part about WAL mode fixed my locking errors.', name: 'Ana' },
 *              { bodySeenBefore: false, siteLanguage: 'en' }).verdict // 'publish'
 */

export interface CommentCandidate {
  body: string;
  name: string;
  website?: string;
  email?: string;
}

export interface SpamFacts {
  /** The same body (normalised by the caller) was posted before on this site. */
  bodySeenBefore: boolean;
  /** The site's (or page's) language, BCP-47: 'en', 'fr', 'pt-BR'. */
  siteLanguage: string;
}

export interface SpamVerdict {
  points: number;
  /** The rules that gave points (non-zero only), in table order. */
  reasons: { rule: string; points: number }[];
  verdict: 'publish' | 'hold' | 'spam';
}

/** What every rule sees: the comment and facts, plus things worked out once. */
export interface RuleInput {
  c: CommentCandidate;
  facts: SpamFacts;
  /** Every URL in the body (markdown links, autolinks, bare URLs, HTML hrefs, BBCode). */
  links: string[];
  /** The body with URLs and markdown punctuation taken out, lower case. */
  text: string;
  words: string[];
}

export interface SpamRule {
  name: string;
  description: string;
  score(input: RuleInput): number;
}

/**
 * At or above: publish. A plain comment (a sentence, no links) earns +4, so one doubt is enough
 * to hold it: generic praise, a spam word, a cheap TLD, a phone number. (At 1, as in Snook's
 * original, a held-out set of fresh spam was published 7 times in 12: many spam bodies carry no
 * link at all and rely on the website field.)
 */
export const PUBLISH_AT = 3;
/** At or below: spam. Between the two: hold. */
export const SPAM_AT = -3;

// ——— helpers ————————————————————————————————————————————————————————————

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'\])]+/gi;
// Bare domains ("cheap-pills.top/buy") count as links too: spammers drop the scheme to slip past filters.
const BARE_DOMAIN_RE = /(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|ru|cn|xyz|top|club|online|site|shop|store|icu|buzz|pw|tk|ml|ga|cf|gq|loan|win|bid|click|link|work|live|vip|pro|io|co|me|us|in|pl|de)\/[^\s<>"')\]]*/gi;

/** Every link in a body, whatever its dress. */
export function findLinks(body: string): string[] {
  const found = new Set<string>();
  for (const m of body.matchAll(URL_RE)) found.add(m[0].replace(/[.,;:!?]+$/, ''));
  for (const m of body.matchAll(BARE_DOMAIN_RE)) if (![...found].some((f) => f.includes(m[0]))) found.add(m[0]);
  // Schemes other than http(s) in markdown or HTML still count: a link is a link.
  for (const m of body.matchAll(/\]\(\s*<?([a-z][a-z0-9+.-]*:[^)\s>]+)/gi)) if (!/^https?:/i.test(m[1]!)) found.add(m[1]!);
  return [...found];
}

/** The host of a URL or bare domain, lower case, or '' when there is none. */
export function hostOf(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  try {
    return new URL(withScheme).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
}

function stripForText(body: string): string {
  return body
    .replace(URL_RE, ' ')
    .replace(BARE_DOMAIN_RE, ' ')
    .replace(/```[\s\S]*?```/g, ' ') // code says nothing about the language
    .replace(/`[^`]*`/g, ' ')
    .replace(/[*_~>#[\]()<>]/g, ' ')
    .toLowerCase();
}

function wordsOf(text: string): string[] {
  return text.match(/[\p{L}\p{M}']+/gu) ?? [];
}

// ——— the language heuristic ——————————————————————————————————————————————

/**
 * The commonest short words of each language the heuristic knows. A body is
 * judged only when it has enough words to say something; a language we do not
 * list is never judged (no penalty for what we cannot tell).
 */
const STOP_WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'it', 'to', 'of', 'that', 'this', 'you', 'for', 'with', 'was', 'are', 'have', 'but', 'not', 'on', 'my', 'in', 'what', 'i', 'be', 'your', 'just', 'so', 'if', 'do', 'can', 'would', 'there', 'they', 'about', 'how', 'thanks', 'me', 'a', 'an', 'we', 'at', 'us', 'our', 'will', 'from', 'or', 'by'],
  fr: ['le', 'la', 'les', 'et', 'est', 'un', 'une', 'des', 'du', 'que', 'qui', 'pour', 'pas', 'dans', 'sur', 'je', 'vous', 'il', 'ce', 'avec', 'mais', 'au', 'en', 'merci', 'ça', 'très', 'mon', 'nous', "c'est", "j'ai", 'ne', 'plus', 'aussi'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'sie', 'es', 'ein', 'eine', 'zu', 'mit', 'auf', 'für', 'den', 'dem', 'auch', 'wie', 'aber', 'bei', 'danke', 'noch', 'habe', 'wir', 'sehr', 'von', 'hat', 'mir', 'man', 'wenn', 'schon'],
  es: ['el', 'la', 'los', 'las', 'y', 'es', 'que', 'de', 'en', 'un', 'una', 'por', 'para', 'con', 'no', 'lo', 'muy', 'pero', 'gracias', 'mi', 'se', 'del', 'al', 'como', 'más', 'este', 'esta', 'yo', 'también', 'hay'],
  it: ['il', 'la', 'che', 'di', 'e', 'è', 'non', 'un', 'una', 'per', 'con', 'del', 'della', 'sono', 'ho', 'grazie', 'molto', 'anche', 'ma', 'mi', 'questo', 'nel', 'lo', 'gli', 'come', 'più', 'ci', 'si'],
  pt: ['o', 'a', 'os', 'as', 'e', 'é', 'que', 'de', 'do', 'da', 'em', 'um', 'uma', 'para', 'com', 'não', 'muito', 'obrigado', 'obrigada', 'mas', 'eu', 'se', 'no', 'na', 'por', 'isso', 'você', 'também', 'meu'],
  nl: ['de', 'het', 'een', 'en', 'is', 'niet', 'ik', 'je', 'dat', 'van', 'op', 'te', 'met', 'voor', 'zijn', 'maar', 'ook', 'dank', 'bedankt', 'heb', 'wat', 'als', 'er', 'dit', 'nog', 'bij', 'mijn'],
};

/** Scripts: a body mostly in one of these is not in a Latin-script language. */
const SCRIPTS: [name: string, re: RegExp, languages: string[]][] = [
  ['Cyrillic', /\p{Script=Cyrillic}/u, ['ru', 'uk', 'bg', 'sr', 'mk', 'be', 'kk', 'mn']],
  ['Han', /\p{Script=Han}/u, ['zh', 'ja']],
  ['Kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u, ['ja']],
  ['Hangul', /\p{Script=Hangul}/u, ['ko']],
  ['Arabic', /\p{Script=Arabic}/u, ['ar', 'fa', 'ur']],
  ['Hebrew', /\p{Script=Hebrew}/u, ['he', 'yi']],
  ['Greek', /\p{Script=Greek}/u, ['el']],
  ['Thai', /\p{Script=Thai}/u, ['th']],
  ['Devanagari', /\p{Script=Devanagari}/u, ['hi', 'mr', 'ne']],
];

/**
 * A guess at the body's language: a script's name when most letters are in one
 * non-Latin script, else the stop-word list with the most hits when it is clear,
 * else undefined (too short, or too close to call).
 */
export function guessLanguage(text: string): { script?: string; languages: string[] } | undefined {
  const letters = [...text].filter((ch) => /\p{L}/u.test(ch));
  if (letters.length < 12) return undefined;
  for (const [name, re, languages] of SCRIPTS) {
    const n = letters.filter((ch) => re.test(ch)).length;
    if (n / letters.length > 0.5) return { script: name, languages };
  }
  const words = wordsOf(text);
  if (words.length < 6) return undefined;
  const hits = Object.entries(STOP_WORDS)
    .map(([lang, list]) => [lang, words.filter((w) => list.includes(w)).length] as const)
    .sort((a, b) => b[1] - a[1]);
  const [best, second] = [hits[0]!, hits[1]!];
  // Clear means: a fair share of the words are stop words of one language, well ahead of the next.
  if (best[1] < 3 || best[1] / words.length < 0.15 || best[1] < second[1] * 1.5) return undefined;
  return { languages: [best[0]] };
}

// ——— word lists ——————————————————————————————————————————————————————————

/** Words and phrases that ham almost never uses; each found costs a point (at most three). */
export const SPAM_WORDS = [
  'viagra', 'cialis', 'levitra', 'tramadol', 'xanax', 'valium', 'phentermine', 'pharmacy', 'pills', 'kamagra', 'ambien', 'oxycodone',
  'casino', 'poker', 'slots', 'betting', 'jackpot', 'roulette', 'blackjack', 'gambling', 'bookmaker', '1xbet',
  'porn', 'xxx', 'sex dating', 'hot singles', 'escort', 'nude', 'webcam girls',
  'payday loan', 'loans', 'mortgage', 'refinance', 'credit repair', 'debt relief',
  'replica', 'rolex', 'louis vuitton', 'ugg boots', 'cheap jerseys', 'michael kors', 'outlet store',
  'seo services', 'backlinks', 'link building', 'guest post', 'buy followers', 'instagram followers', 'rank your website', 'traffic to your website', 'increase your traffic',
  'essay writing', 'write my essay', 'dissertation', 'homework help',
  'bitcoin doubler', 'crypto investment', 'forex signals', 'binary options', 'make money online', 'work from home', 'earn $', 'passive income', 'get rich',
  'weight loss', 'diet pills', 'keto pills', 'male enhancement', 'penis', 'enlargement',
  'free download', 'cracked', 'keygen', 'serial key', 'torrent',
  'click here', 'visit my site', 'visit my blog', 'check out my site', 'check my website', 'buy now', 'order now', 'limited offer', '100% free', 'discount code', 'best price', 'cheap price', 'for sale', '% off',
  'without prescription', 'no prescription', 'overnight delivery', 'bonus code', 'welcome bonus', 'no deposit', 'exclusive offer', 'dofollow', 'spell caster', 'love spell', 'money spell', 'fake broker', 'recover your funds',
  'contact us at', 'insurance quotes', 'digital marketing', 'marketing agency', 'first page of google', 'page one of google', 'human verification', 'free robux', 'gift card', 'interest rate', 'crypto', 'airdrop', 'onlyfans',
  'pas cher', 'sans ordonnance', 'ohne einzahlung', 'jetzt spielen', 'préstamos', 'sin aval', 'dinero rápido',
  'kasyno', 'казино', 'ставки', 'кредит', 'займ', 'скачать', 'бесплатно', 'порно', '赌场', '博彩', '代写', '伟哥',
];

/** Openers that bots paste onto any post (Snook: "Interesting…", "Nice…", "Cool…"). */
const GENERIC_PRAISE = [
  /^\s*(?:(?:hello|hi|hey)(?: there)?[,!.]?\s+)?(nice|neat|great|good|cool|awesome|amazing|excellent|wonderful|fantastic|interesting|informative|useful|helpful|superb)\s+(post|article|blog|site|website|information|info|read|content|share|work|job|writing|piece)\b/i,
  /\b(thanks?( you)? for (sharing|the info|this (great|nice|wonderful|informative)))\b/i,
  /\bi (really )?(like|love|enjoy(ed)?) (your|this) (blog|site|website|post|article)s?\b.*\b(bookmark|subscribe|rss|feed)/i,
  /\b(keep (it )?up the (good|great) work)\b/i,
  /\bvery (informative|useful|helpful|nice) (post|article|blog|information)\b/i,
  /\bi (have|'ve) (bookmarked|book marked) (it|your|this)\b/i,
  /\b(hello|hi) (there|admin|webmaster)\b/i,
  /\bsorry for (my|the) (bad )?english\b/i,
  /\b(i (will|'ll) bookmark|bookmark(ed)? your (blog|site|website)|joined your rss|subscribed? to your (rss|feed)|check (back|again) (here )?regularly|look(ing)? forward to (seeking|reading) more)\b/i,
  /\b(you are|you're) a (very )?(skilled|talented|great|gifted) (blogger|writer)\b/i,
  /\b(valuable|useful|great|nice) information (you (provide|share)|in your (articles?|posts?))\b/i,
  /^\s*thanks?( you)? for sharing (this|the|your) (article|post|information|info)( with us)?[.!]*\s*$/i,
  /\bwhat a (great|nice|wonderful) (post|article|blog|site)\b/i,
];

/** Top-level domains that cheap registrations and throwaway spam sites live on. */
export const SUSPICIOUS_TLDS = new Set([
  'xyz', 'top', 'club', 'online', 'site', 'shop', 'store', 'icu', 'buzz', 'pw', 'tk', 'ml', 'ga', 'cf', 'gq', 'loan', 'win', 'bid', 'click',
  'link', 'work', 'vip', 'cn', 'ru', 'su', 'info', 'biz', 'party', 'review', 'trade', 'date', 'racing', 'download', 'stream', 'cam', 'rest',
  'monster', 'cyou', 'cfd', 'sbs', 'quest', 'mom', 'lol', 'bond', 'casino', 'bet', 'poker', 'sex', 'porn', 'adult', 'webcam',
]);

/** Hosts that hide where a link goes. */
const SHORTENERS = new Set(['bit.ly', 'tinyurl.com', 'goo.gl', 't.co', 'ow.ly', 'is.gd', 'buff.ly', 'cutt.ly', 'rb.gy', 'shorturl.at', 'tiny.cc', 'bitly.com', 'rebrand.ly', 'clck.ru', 'u.to']);

const CONSONANT_RUN = /[bcdfghjklmnpqrstvwxz]{6,}/gi;
// Runs that real words have: "strengths", "rhythms", "schwarz", code identifiers, acronyms the caller types in upper case.
const CONSONANT_OK = /^(?:[a-z]*(?:ngths|tchw|schw|rthst|ntschl|chtspr)[a-z]*|[A-Z]+)$/;

function tldOf(host: string): string {
  return host.split('.').pop() ?? '';
}

// ——— the rules ———————————————————————————————————————————————————————————

/**
 * The rules, in the order they are reported. Weights are the numbers in each
 * `score`; a new rule is a row here and a test in test/comments/spam-rules.test.ts.
 */
export const SPAM_RULES: readonly SpamRule[] = [
  {
    name: 'links',
    description: 'Two links or fewer in the body: +2. More: −1 for each link.',
    score: ({ links }) => (links.length <= 2 ? 2 : -links.length),
  },
  {
    name: 'length',
    description: 'A body of more than 20 characters (URLs not counted) with at most two links: +2; under 20: −1.',
    score: ({ text, links }) => {
      const n = text.replace(/\s+/g, ' ').trim().length;
      if (n > 20 && links.length <= 2) return 2;
      return n < 20 ? -1 : 0;
    },
  },
  {
    name: 'only-a-url',
    description: 'The body is nothing but links: −5.',
    score: ({ links, text }) => (links.length > 0 && wordsOf(text).length <= 1 ? -5 : 0),
  },
  {
    name: 'link-in-name',
    description: 'A URL or a domain in the name: −3.',
    score: ({ c }) => (/https?:|www\.|\.(com|net|org|ru|info|biz|xyz|top|shop|online|site)\b/i.test(c.name) ? -3 : 0),
  },
  {
    name: 'digits-in-name',
    description: 'Three or more digits in the name: −1.',
    score: ({ c }) => ((c.name.match(/\d/g)?.length ?? 0) >= 3 ? -1 : 0),
  },
  {
    name: 'keyword-name',
    description: 'A name that is a sales phrase (contains a spam word, or more than four words): −2.',
    score: ({ c }) => {
      const name = c.name.toLowerCase();
      if (SPAM_WORDS.some((w) => containsWord(name, w))) return -2;
      return name.trim().split(/\s+/).length > 4 ? -2 : 0;
    },
  },
  {
    name: 'spam-words',
    description: 'Each known spam word in the body or website: −2 (at most −6).',
    score: ({ c }) => {
      const hay = `${c.body} ${c.website ?? ''}`.toLowerCase();
      return 0 - Math.min(6, 2 * SPAM_WORDS.filter((w) => containsWord(hay, w)).length);
    },
  },
  {
    name: 'generic-praise',
    description: 'Praise that fits any post ("Nice post, thanks for sharing"): −4 with a website or a link, or for two such phrases; else −2, or −1 when a real comment follows it (60 characters more).',
    score: ({ c, links, text }) => {
      const hits = GENERIC_PRAISE.map((re) => re.exec(c.body)).filter((m): m is RegExpExecArray => !!m);
      if (!hits.length) return 0;
      if (links.length > 0 || c.website || hits.length >= 2) return -4;
      const rest = text.replace(hits[0]![0].toLowerCase(), '').replace(/\s+/g, ' ').trim();
      return rest.length >= 60 ? -1 : -2;
    },
  },
  {
    name: 'consonant-runs',
    description: 'Each run of six or more consonants (keyboard mash, random strings) in body or name: −2 (at most −6).',
    score: ({ c }) => {
      const runs = [...`${stripCode(c.body)} ${c.name}`.replace(URL_RE, ' ').matchAll(CONSONANT_RUN)]
        .map((m) => wordAround(`${stripCode(c.body)} ${c.name}`, m.index!))
        .filter((w) => !CONSONANT_OK.test(w));
      return 0 - Math.min(6, 2 * runs.length);
    },
  },
  {
    name: 'seen-before',
    description: 'The same body was posted before: −3.',
    score: ({ facts }) => (facts.bodySeenBefore ? -3 : 0),
  },
  {
    name: 'suspicious-tld',
    description: 'Each website or link on a cheap-spam top-level domain (.xyz, .top, .ru…): −2 (at most −4); the site’s own country domain is fine.',
    score: ({ c, links, facts }) => {
      const own = facts.siteLanguage.toLowerCase().split('-')[0];
      const hosts = [...(c.website ? [c.website] : []), ...links].map(hostOf).filter(Boolean);
      const bad = hosts.filter((h) => SUSPICIOUS_TLDS.has(tldOf(h)) && !(own === 'ru' && /\.(ru|su)$/.test(h)) && !(own === 'zh' && h.endsWith('.cn')));
      return 0 - Math.min(4, 2 * bad.length);
    },
  },
  {
    name: 'shortened-link',
    description: 'A link through a URL shortener: −2.',
    score: ({ links }) => (links.some((l) => SHORTENERS.has(hostOf(l).replace(/^www\./, ''))) ? -2 : 0),
  },
  {
    name: 'long-link',
    description: 'A link longer than 80 characters or with a tracking-style query (ref=, aff=, utm_): −1.',
    score: ({ links }) => (links.some((l) => l.length > 80 || /[?&](ref|aff|affiliate|utm_[a-z]+|clickid|partner)=/i.test(l)) ? -1 : 0),
  },
  {
    name: 'html-or-bbcode',
    description: 'HTML links or BBCode ([url=…]) in a markdown box, pasted by a bot built for forums: −3.',
    score: ({ c }) => (/<a\s[^>]*href|\[url[=\]]|\[link=/i.test(c.body) ? -3 : 0),
  },
  {
    name: 'shouting',
    description: 'Mostly capital letters in a body of 20 letters or more: −2; runs like "!!!" or "$$$": −1.',
    score: ({ c }) => {
      const letters = c.body.replace(URL_RE, '').match(/\p{L}/gu) ?? [];
      const upper = letters.filter((ch) => ch !== ch.toLowerCase()).length;
      if (letters.length >= 20 && upper / letters.length > 0.7) return -2;
      return /([!$€?])\1{2,}/.test(c.body) ? -1 : 0;
    },
  },
  {
    name: 'contact-me',
    description: 'A phone number, WhatsApp, Telegram or Skype handle to reach the poster: −3 (a reader has no reason to).',
    score: ({ c }) => (/\b(whats ?app|telegram|skype|wechat|viber|微信)\b|\+\d{1,3}[\s-]?\d{2,4}[\s-]?\d{3,4}/i.test(c.body) ? -3 : 0),
  },
  {
    name: 'language',
    description: 'The body is clearly in another language than the site’s: −3 for another script (Cyrillic on an English site), −1 for another Latin-script language.',
    score: ({ text, facts }) => {
      const site = facts.siteLanguage.toLowerCase().split('-')[0] ?? '';
      const guess = guessLanguage(text);
      if (!guess || !site || guess.languages.includes(site)) return 0;
      if (guess.script) return -3;
      // The site's language is one we cannot recognise: an English body may well be fine there.
      return site in STOP_WORDS ? -1 : 0;
    },
  },
  {
    name: 'website-in-body',
    description: 'The body links to the same host as the website field (advertising twice): −1.',
    score: ({ c, links }) => {
      const site = c.website ? hostOf(c.website).replace(/^www\./, '') : '';
      return site && links.some((l) => hostOf(l).replace(/^www\./, '') === site) ? -1 : 0;
    },
  },
  {
    name: 'conversation',
    description: 'Signs of a reader talking about the post, without links or a website (spam asks questions too, to look human): a question, code, a quote, or someone named with @: +1.',
    score: ({ c, links }) => (links.length === 0 && !c.website && (/\?\s|\?$|`|^>\s|(^|\s)@\w/m.test(c.body.trim())) ? 1 : 0),
  },
];

function containsWord(hay: string, word: string): boolean {
  // Whole words for Latin letters ("pills" not in "spills"); scripts without spaces match anywhere.
  if (!/^[a-z0-9 $%+@'-]+$/i.test(word)) return hay.includes(word);
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\d])${esc}(?![\\p{L}\\d])`, 'iu').test(hay);
}

function stripCode(body: string): string {
  return body.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`]*`/g, ' ');
}

function wordAround(s: string, at: number): string {
  let a = at;
  let b = at;
  while (a > 0 && /\p{L}/u.test(s[a - 1]!)) a--;
  while (b < s.length && /\p{L}/u.test(s[b]!)) b++;
  return s.slice(a, b);
}

/** Builds what every rule sees (exported for the rule tests). */
export function ruleInput(c: CommentCandidate, facts: SpamFacts): RuleInput {
  const body = String(c.body ?? '');
  const text = stripForText(body);
  return { c: { ...c, body, name: String(c.name ?? '') }, facts, links: findLinks(body), text, words: wordsOf(text) };
}

/**
 * Scores a comment with every rule of `SPAM_RULES` and says what to do with it.
 *
 * @example
 * scoreComment({ body: 'Nice post! Visit http://cheap-pills.top', name: 'Best Pharmacy 24' },
 *              { bodySeenBefore: false, siteLanguage: 'en' })
 * // { points: -11, reasons: [...], verdict: 'spam' }
 */
export function scoreComment(c: CommentCandidate, facts: SpamFacts): SpamVerdict {
  const input = ruleInput(c, facts);
  const reasons: SpamVerdict['reasons'] = [];
  let points = 0;
  for (const rule of SPAM_RULES) {
    const p = rule.score(input);
    if (p !== 0) {
      reasons.push({ rule: rule.name, points: p });
      points += p;
    }
  }
  const verdict = points >= PUBLISH_AT ? 'publish' : points <= SPAM_AT ? 'spam' : 'hold';
  return { points, reasons, verdict };
}
