// Loopback servers for the comparison: one origin per runtime, every file brotli-compressed
// once (quality 11, as a production server or CDN would precompress it; cached in tmp/br-cache by
// content hash), kept in memory and sent with `Content-Encoding: br`, whatever the request's
// Accept-Encoding says.
//
//   node serve.mjs     generates the forms, starts the three servers and prints their URLs
//
// Each server logs what it sent (path, brotli and raw body size, content type) so the
// harness can add up the bytes of a page load exactly.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants } from 'node:zlib';

import { FORMS_DIR, HERE, ROOT, writeAll } from './generate.mjs';

const compress = promisify(brotliCompress);
const MODULES = join(HERE, 'node_modules');
// Compressing 3 MB at quality 11 takes seconds; the result is kept by content hash.
const CACHE = join(HERE, 'tmp', 'br-cache');

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/** What each runtime's origin serves: URL path → file on disk (or bytes). */
function files(runtime) {
  const forms = join(FORMS_DIR, runtime);
  const map = new Map();
  for (const name of readdirSync(forms)) map.set(`/forms/${name}`, join(forms, name));
  if (runtime === 'blankett') {
    const dist = join(ROOT, 'dist');
    const walk = (dir, prefix) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          // The bundled example forms are not part of the comparison; dev/ is a developer page.
          if (prefix === '' && (name === 'forms' || name === 'dev')) continue;
          walk(path, `${prefix}/${name}`);
        } else if (prefix === '' && name === 'sw.js') {
          // Not the app's service worker: the comparison is of a first visit, and its install
          // would download the app's files a second time (see the request handler below).
          continue;
        } else {
          map.set(`${prefix}/${name}`, path);
        }
      }
    };
    walk(dist, '');
    // trunk leaves a nonce placeholder for a server that sets a CSP; no CSP here.
    const index = readFileSync(join(dist, 'index.html'), 'utf8').replaceAll('{{__TRUNK NONCE__}}', 'bench');
    map.set('/index.html', Buffer.from(index));
  } else if (runtime === 'surveyjs') {
    map.set('/index.html', join(HERE, 'pages', 'surveyjs.html'));
    map.set('/survey.core.min.js', join(MODULES, 'survey-core', 'survey.core.min.js'));
    map.set('/survey-js-ui.min.js', join(MODULES, 'survey-js-ui', 'survey-js-ui.min.js'));
    map.set('/survey-core.fontless.min.css', join(MODULES, 'survey-core', 'survey-core.fontless.min.css'));
  } else if (runtime === 'formio') {
    map.set('/index.html', join(HERE, 'pages', 'formio.html'));
    map.set('/formio.form.min.js', join(MODULES, '@formio', 'js', 'dist', 'formio.form.min.js'));
    map.set('/formio.form.min.css', join(MODULES, '@formio', 'js', 'dist', 'formio.form.min.css'));
  } else {
    throw new Error(`unknown runtime ${runtime}`);
  }
  return map;
}

async function load(map) {
  const out = new Map();
  await Promise.all([...map].map(async ([path, source]) => {
    const raw = Buffer.isBuffer(source) ? source : readFileSync(source);
    const cached = join(CACHE, `${createHash('sha256').update(raw).digest('hex')}.br`);
    let br;
    if (existsSync(cached)) {
      br = readFileSync(cached);
    } else {
      br = await compress(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_LGWIN]: 22,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      });
      mkdirSync(CACHE, { recursive: true });
      writeFileSync(cached, br);
    }
    out.set(path, { raw: raw.length, br, type: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
  }));
  return out;
}

/**
 * Starts one server per runtime on 127.0.0.1 (free ports). Returns
 * `{ <runtime>: { url, log, files }, close() }`; `log` is an array of
 * `{ path, br, raw, type, status }` that the caller may empty between page loads.
 */
export async function startServers(runtimes = ['blankett', 'surveyjs', 'formio']) {
  const result = {};
  const servers = [];
  for (const runtime of runtimes) {
    const content = await load(files(runtime));
    const log = [];
    const server = createServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (runtime === 'blankett' && path === '/sw.js') {
        // The app registers its service worker once it has loaded. Here it gets one that does
        // nothing (keeps nothing, serves nothing), so every run is a first visit like the
        // peers'; not logged, as it is not part of the page load being measured.
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' })
          .end('// The comparison measures first visits: this worker does nothing.\n');
        return;
      }
      const file = content.get(path === '/' ? '/index.html' : path);
      if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
        log.push({ path, br: 0, raw: 0, type: '', status: 404 });
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      log.push({ path, br: file.br.length, raw: file.raw, type: file.type, status: 200 });
      res.writeHead(200, {
        'Content-Type': file.type,
        'Content-Encoding': 'br',
        'Content-Length': file.br.length,
        'Cache-Control': 'no-cache',
        Vary: 'Accept-Encoding',
      });
      res.end(req.method === 'HEAD' ? undefined : file.br);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    result[runtime] = { url: `http://127.0.0.1:${server.address().port}/`, log, files: content };
  }
  result.close = () => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeAll();
  const servers = await startServers();
  for (const runtime of ['blankett', 'surveyjs', 'formio']) {
    const start = runtime === 'blankett' ? '&start=1' : '';
    console.log(`${runtime.padEnd(9)} ${servers[runtime].url}?form=bench20${start}`);
  }
  console.log('(forms: bench20, bench200, bench1000; Ctrl-C stops)');
}
