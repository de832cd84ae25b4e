// Figure for `cargo xtask bench` (issue 17, part 1): the bytes a citizen's browser downloads
// for the app's page and one form as the receiver serves them (`blankett-server serve`, the
// build's brotli and gzip copies, cache headers), on a first visit and on a repeat visit that
// follows the cache headers: a hashed file marked `immutable` is not asked for again, a file
// marked `no-cache` is asked for again with `If-Modified-Since` (a 304 carries no body).
//
//   node served.mjs measure <base-url>   prints one row per file and the totals
//
// Bytes are the response bodies as they cross the network (node:http does not decompress),
// without headers.
import http from 'node:http';

const [mode, base] = process.argv.slice(2);
const FORM = 'felanmalan';

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(path, base), { headers }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (c) => {
        bytes += c.length;
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

async function measure() {
  const page = await get('/');
  if (page.status !== 200) throw new Error(`/ answered ${page.status}`);
  const html = page.body.toString('utf8');
  // What the page loads: trunk's hashed module, its wasm and the stylesheet.
  const refs = [...html.matchAll(/(?:href|src)="\/?([^"]+\.(?:js|wasm|css))"/g)].map((m) => `/${m[1].replace(/^\.\//, "")}`);
  const paths = ['/', ...new Set(refs), `/forms/${FORM}.json`];
  const rows = [];
  for (const path of paths) {
    const plain = await get(path);
    const br = await get(path, { 'accept-encoding': 'gzip, deflate, br' });
    const cache = br.headers['cache-control'] ?? '';
    let repeat;
    if (cache.includes('immutable')) {
      repeat = { what: 'from cache', bytes: 0 };
    } else {
      const validator = br.headers['last-modified'];
      const again = await get(path, {
        'accept-encoding': 'gzip, deflate, br',
        ...(validator ? { 'if-modified-since': validator } : {}),
      });
      repeat = { what: String(again.status), bytes: again.bytes };
    }
    rows.push({ path, raw: plain.bytes, sent: br.bytes, encoding: br.headers['content-encoding'] ?? 'none', cache, repeat });
  }
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`\nAs the receiver serves it (${base}, ?form=${FORM}): bytes of each response body, KB`);
  console.log(`${'file'.padEnd(44)}${'plain'.padStart(9)}${'sent'.padStart(9)}  ${'encoding'.padEnd(9)}${'repeat visit'.padEnd(16)}cache-control`);
  for (const r of rows) {
    const name = r.path.length > 42 ? `…${r.path.slice(-41)}` : r.path;
    console.log(
      `${name.padEnd(44)}${kb(r.raw).padStart(9)}${kb(r.sent).padStart(9)}  ${r.encoding.padEnd(9)}${`${r.repeat.what} ${kb(r.repeat.bytes)}`.padEnd(16)}${r.cache}`,
    );
  }
  const sum = (f) => rows.reduce((n, r) => n + f(r), 0);
  console.log(
    `${'first visit'.padEnd(44)}${kb(sum((r) => r.raw)).padStart(9)}${kb(sum((r) => r.sent)).padStart(9)}  ${''.padEnd(9)}${`repeat ${kb(sum((r) => r.repeat.bytes))}`.padEnd(16)}`,
  );
}

if (mode === 'measure') {
  await measure();
} else {
  console.error('usage: node served.mjs measure <base-url>');
  process.exit(2);
}
