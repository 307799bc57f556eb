/**
 * Realistic-looking article pages for the benchmark: a seeded generator, so
 * every run serves the same bytes, with enough variety that gzip compresses
 * about as well as it does on real prose (a few KB out of ~12 KB).
 */

const WORDS = `the of and to in a is that for it as was with be by on not he this are or his from at which but have an they
you were her she there been one all we their has would when if so no will more can who out up what them some into time only
other its could than then now these two may first any like our over such very after most also made many did before must
through back years where much your way well down should because each just those people how too little state good very make
world still own see men work long get here between both life being under never day same another know while last might us
great old year off come since against go came right used take three garden kiln glaze clay potter wheel studio morning river
bridge market harbour lantern window orchard meadow winter summer autumn spring letter journey village workshop library
notebook recipe kitchen bread coffee table chair shelf basket pottery ceramic firing temperature cone stoneware porcelain
earthenware celadon tenmoku ash shino reduction oxidation slip wedging trimming throwing bisque stoneware glazing cobalt
iron copper feldspar silica kaolin ball flux crawl pinhole craze shiver community class workshop student teacher beginner
advanced schedule booking newsletter gallery exhibition opening evening weekend holiday price shipping order customer review
careful quiet bright warm cold heavy light slow quick patient simple honest generous curious steady gentle practical`.split(/\s+/);

const HEADINGS = ['Notes from the studio', 'What we learned this week', 'Firing schedule', 'A recipe worth keeping', 'Questions from readers', 'Before you begin', 'Tools and materials', 'Looking ahead'];

/** mulberry32: small, fast, good enough for text. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(r: () => number): string {
  const n = 6 + Math.floor(r() * 16);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(r() * WORDS.length)]);
  if (r() < 0.15) words.push(String(Math.floor(r() * 1300)));
  const s = words.join(' ');
  return s[0].toUpperCase() + s.slice(1) + (r() < 0.1 ? '?' : '.');
}

function paragraph(r: () => number): string {
  const n = 3 + Math.floor(r() * 5);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(sentence(r));
  return `<p>${parts.join(' ')}</p>`;
}

/** An article page of about `targetBytes` of HTML, different for every `n`. */
export function pageHtml(n: number, targetBytes = 12_000): string {
  const r = rng(n * 2654435761);
  const title = sentence(r).replace(/[.?]$/, '').slice(0, 70);
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Riverside Pottery</title>
<meta name="description" content="${sentence(r)}">
<link rel="stylesheet" href="/pm-themes/daybreak/assets/style.css?v=3f9a1c2e">
<link rel="canonical" href="https://riverside-pottery.example/bench/page-${n}">
</head>
<body>
<header class="site-header"><a class="brand" href="/">Riverside Pottery</a>
<nav><a href="/">Home</a> <a href="/classes">Classes</a> <a href="/shop">Shop</a> <a href="/journal">Journal</a> <a href="/contact">Contact</a></nav></header>
<main><article>
<h1>${title}</h1>
<p class="meta">Posted on ${1 + Math.floor(r() * 28)} March 2024 · ${3 + Math.floor(r() * 9)} min read</p>
`;
  const foot = `</article>
<aside><h2>Related</h2><ul>${[1, 2, 3].map((k) => `<li><a href="/bench/page-${(n + k * 37) % 10000}">${sentence(r).slice(0, 48)}</a></li>`).join('')}</ul></aside>
</main>
<footer class="site-footer"><p>© 2024 Riverside Pottery · 12 Mill Lane · Open Thursday to Sunday</p></footer>
</body>
</html>
`;
  let body = '';
  let section = 0;
  while (head.length + body.length + foot.length < targetBytes) {
    if (body.length > (section + 1) * 2500) body += `<h2>${HEADINGS[(n + section++) % HEADINGS.length]}</h2>\n`;
    body += paragraph(r) + '\n';
  }
  return head + body + foot;
}
