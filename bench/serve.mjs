// Loopback servers for the comparison: one origin per runtime, every file brotli-compressed
// once (quality 11, as a production server or CDN would precompress it; cached in tmp/br-cache by
// content hash), kept in memory and sent with `Content-Encoding: br`, whatever the request's
// Accept-Encoding says. The static HTML page (generate.mjs, 20 fields) is served the same way,
// at /forms/bench20.html.
//
// `blankett-receiver` is not served from here: it starts Blankett's own receiver,
// `blankett-server serve` (target/debug, as `cargo xtask test` and `bench` build it, or
// $BLANKETT_SERVER_BIN), on a free loopback
// port with dist/ as its app, the generated Blankett definitions as its forms and a new
// temporary database, so that its column is the app as the receiver sends it to citizens (the
// build's precompressed .br files, its cache headers, its Content-Security-Policy, its real
// sw.js). The temporary folder is removed when the servers close.
//
//   node serve.mjs     generates the forms, starts the servers and prints their URLs
//
// Each node server logs what it sent (path, brotli and raw body size, content type); run.mjs
// counts bytes from the browser's side and checks them against this log.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants } from 'node:zlib';

import { FORMS_DIR, HERE, ROOT, STATIC_SIZES, writeAll } from './generate.mjs';

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
  } else if (runtime === 'static') {
    // The page is the form (tmp/forms/static/bench20.html); nothing else.
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
 * The receiver's binary: $BLANKETT_SERVER_BIN, else the debug build that `cargo xtask test`
 * and `cargo xtask bench` make (never a release build that may be older than the sources).
 */
export function receiverBinary() {
  const bin = process.env.BLANKETT_SERVER_BIN ?? join(ROOT, 'target', 'debug', 'blankett-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build -p blankett-server\``);
  return bin;
}

/**
 * Starts `blankett-server serve` on 127.0.0.1 (a free port: `--addr 127.0.0.1:0`, the address
 * read from the line it prints once listening) with `dist/`, the generated Blankett definitions
 * and a database in a new temporary folder. Resolves to `{ url, binary, close() }`.
 */
export async function startReceiver() {
  const binary = receiverBinary();
  const data = mkdtempSync(join(tmpdir(), 'blankett-bench-receiver-'));
  // Only the arguments below configure it: no BLANKETT_* setting of this shell leaks in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BLANKETT_')));
  const child = spawn(binary, [
    'serve', '--addr', '127.0.0.1:0', '--dist', join(ROOT, 'dist'), '--forms', join(FORMS_DIR, 'blankett'),
    '--db', join(data, 'blankett.sqlite3'),
  ], { env: { ...env, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => { output = (output + d).slice(-20_000); };
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);
  let timer;
  try {
    const url = await new Promise((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (d) => {
        keep(d);
        stdout += d;
        const m = stdout.match(/Blankett is running at (http:\/\/\S+\/)/);
        if (m) resolve(m[1]);
      });
      child.once('error', reject);
      exited.then((code) => reject(new Error(`${binary} serve exited (${code}):\n${output}`)));
      timer = setTimeout(() => reject(new Error(`${binary} serve did not listen within 60 s:\n${output}`)), 60_000);
    });
    const close = async () => {
      process.removeListener('exit', stopOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let kill;
        await Promise.race([exited, new Promise((r) => { kill = setTimeout(() => { child.kill('SIGKILL'); r(); }, 10_000); })]);
        clearTimeout(kill);
        await exited;
      }
      rmSync(data, { recursive: true, force: true });
    };
    return { url, binary, close };
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts one server per runtime on 127.0.0.1 (free ports). Returns
 * `{ <runtime>: { url, log, files }, close() }`; `log` is an array of
 * `{ path, br, raw, type, status }` that the caller may empty between page loads. For
 * `blankett-receiver` (Blankett's own receiver, `startReceiver`) there is no `log`, and
 * `binary` names the receiver's executable.
 */
export async function startServers(runtimes = ['blankett', 'blankett-receiver', 'surveyjs', 'formio', 'static']) {
  const result = {};
  const servers = [];
  const closers = [];
  for (const runtime of runtimes) {
    if (runtime === 'blankett-receiver') {
      const receiver = await startReceiver();
      closers.push(receiver.close);
      result[runtime] = { url: receiver.url, binary: receiver.binary };
      continue;
    }
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
  result.close = () => Promise.all([
    ...servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })),
    ...closers.map((close) => close()),
  ]);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeAll();
  const servers = await startServers();
  for (const runtime of ['blankett', 'blankett-receiver', 'surveyjs', 'formio']) {
    const start = runtime.startsWith('blankett') ? '&start=1' : '';
    console.log(`${runtime.padEnd(17)} ${servers[runtime].url}?form=bench20${start}`);
  }
  console.log(`${'static'.padEnd(17)} ${servers.static.url}forms/bench${STATIC_SIZES[0]}.html`);
  console.log('(forms: bench20, bench200, bench1000; the static page at 20 fields only; Ctrl-C stops)');
  const stop = async () => { await servers.close(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
