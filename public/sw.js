// Blankett's service worker: keeps the app and the forms opened on this device, so that after
// one visit the app starts, and every form opened before can be filled in, without a network.
//
// This file is a template. `cargo xtask build` writes dist/sw.js from it with BUILD_ID (a hash
// of the built files) and APP_FILES (the built app's files) filled in (xtask/src/main.rs,
// `write_service_worker`); a new build id is a new version of the worker, which the app
// announces (src/offline.rs). The receiver serves /sw.js with `Cache-Control: no-cache`.
//
// - App files (the page, the hashed *.js, *_bg.wasm, *.css; not the embed script, which host
//   pages this worker never controls load from the network): cache-first from this version's
//   cache, `blankett-app:<scope>:<build id>`. Older versions' caches go when this one activates.
// - Definitions and code lists (any GET for *.json on this origin, e.g. forms/*.json,
//   forms/lists/*.json, a same-origin `?src=`): network-first, falling back to the copy in
//   `blankett-data`, so a changed definition is seen when online. At install, the worker
//   fetches the bundled forms (forms/index.json and every form it lists) and the form open in
//   the page that registered it, with their code lists.
// - Anything else, every non-GET request (submissions) and requests that carry the citizen's
//   credentials (prefill) go to the network untouched and are never stored.
//
// Every cache name starts with `blankett`: `forget_cached_data` in src/offline.rs deletes them.
'use strict';

const BUILD_ID = "__BUILD_ID__";
const APP_FILES = ["__APP_FILES__"];

const SCOPE = new URL(self.registration.scope);
const APP_CACHE_PREFIX = `blankett-app:${SCOPE.pathname}:`;
const APP_CACHE = APP_CACHE_PREFIX + BUILD_ID;
const DATA_CACHE = 'blankett-data';
/** The app's files by address (without query); the page itself is the scope's address. */
const APP_URLS = new Set(APP_FILES.map((file) => new URL(file, SCOPE).href));
const PAGE_URL = new URL('./', SCOPE).href;
/** How long a definition waits for the network when a copy is kept (a connection that hangs). */
const NETWORK_WAIT_MS = 5000;
/** A bundled form's id, as src/app.rs accepts it in `?form=`. */
const FORM_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(APP_CACHE);
    // Revalidated, never taken stale from the HTTP cache: the page's integrity attributes must
    // match the files kept beside it.
    await cache.addAll([...APP_URLS].map((url) => new Request(url, { cache: 'no-cache' })));
    // The forms are a convenience: the app works without them.
    await Promise.all([keepBundledForms().catch(() => {}), keepOpenForms().catch(() => {})]);
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(APP_CACHE_PREFIX) && name !== APP_CACHE) await caches.delete(name);
    }
    // The first visit is served from here on, without a reload.
    await self.clients.claim();
  })());
});

// The page's Update button (src/offline.rs): this version takes over the open pages.
self.addEventListener('message', (event) => {
  if (event.data === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return;
  const address = url.origin + url.pathname;
  if (request.mode === 'navigate') {
    if (address === PAGE_URL || address === `${PAGE_URL}index.html`) event.respondWith(appPage(event));
    return;
  }
  if (APP_URLS.has(address)) {
    event.respondWith(appFile(event, request));
    return;
  }
  if (isData(request, url)) event.respondWith(networkFirst(event, request));
});

/** Whether a request is for a definition or code list that may be kept on the device: never an
 *  API answer (personal data, one-off outcomes) nor anything asked for with credentials. */
function isData(request, url) {
  return url.pathname.endsWith('.json')
    && !url.pathname.includes('/api/')
    && request.credentials !== 'include'
    && !request.headers.has('Authorization');
}

/** An app file: this version's copy, else the network (kept for next time). */
async function appFile(event, request) {
  const cache = await caches.open(APP_CACHE);
  const kept = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') event.waitUntil(cache.put(request.url, response.clone()).catch(() => {}));
  return response;
}

/** The app's page, with a fresh CSP nonce in every response, as the receiver sends it. */
async function appPage(event) {
  const cache = await caches.open(APP_CACHE);
  let response = await cache.match(PAGE_URL, { ignoreVary: true });
  if (!response) {
    response = await fetch(PAGE_URL, { cache: 'no-cache' });
    if (!response.ok || response.type !== 'basic') return response;
    event.waitUntil(cache.put(PAGE_URL, response.clone()).catch(() => {}));
  }
  return freshNonce(response);
}

/**
 * The kept page with a new nonce: the receiver gives every page its own (a nonce known in
 * advance protects nothing), and a page kept on the device must not reuse one. The nonce is
 * found in the kept Content-Security-Policy and replaced there and on the page's scripts.
 */
async function freshNonce(response) {
  const policy = response.headers.get('Content-Security-Policy');
  const old = policy?.match(/'nonce-([A-Za-z0-9+/=_-]+)'/)?.[1];
  if (!old) return response;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const nonce = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', policy.replaceAll(`'nonce-${old}'`, `'nonce-${nonce}'`));
  const html = (await response.text()).replaceAll(`nonce="${old}"`, `nonce="${nonce}"`);
  return new Response(html, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The network's answer, kept for later when it is good; the kept copy when there is no network,
 * the server fails (5xx) or the network has not answered in NETWORK_WAIT_MS.
 */
async function networkFirst(event, request) {
  const cache = await caches.open(DATA_CACHE);
  const kept = await cache.match(request.url, { ignoreVary: true });
  const network = fetch(request).then((response) => {
    if (response.ok && response.type === 'basic') {
      event.waitUntil(cache.put(request.url, response.clone()).catch(() => {}));
    }
    return response;
  });
  if (!kept) return network;
  event.waitUntil(network.catch(() => {}));
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(kept.clone()), NETWORK_WAIT_MS); });
  const fresh = network.then((response) => (response.status >= 500 ? kept.clone() : response), () => kept.clone());
  try {
    return await Promise.race([fresh, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps forms/index.json, every form it lists and the code lists those forms name. */
async function keepBundledForms() {
  const cache = await caches.open(DATA_CACHE);
  const indexUrl = new URL('forms/index.json', SCOPE).href;
  const index = await keep(cache, indexUrl);
  const ids = (index?.forms ?? []).map((form) => form?.id).filter((id) => typeof id === 'string' && FORM_ID.test(id));
  await Promise.all(ids.map((id) => keepDefinition(cache, new URL(`forms/${id}.json`, SCOPE).href, PAGE_URL)));
}

/**
 * Keeps the definitions the open pages show (`?form=` or a same-origin `?src=`, the rule of
 * index.html and src/app.rs): on the first visit the page fetched its form before this worker
 * existed, and that form must work offline too, bundled or not.
 */
async function keepOpenForms() {
  const cache = await caches.open(DATA_CACHE);
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  await Promise.all(pages.map((page) => {
    const url = new URL(page.url);
    if (!url.href.startsWith(SCOPE.href)) return null;
    const id = url.searchParams.get('form');
    const src = url.searchParams.get('src');
    let definition = null;
    if (id !== null) definition = FORM_ID.test(id) ? new URL(`forms/${id}.json`, url) : null;
    else if (src !== null) definition = address(src, url);
    if (definition === null || definition.origin !== SCOPE.origin) return null;
    return keepDefinition(cache, definition.href, url.href);
  }));
}

/** Keeps a definition and the same-origin code lists it names (resolved against `pageUrl`,
 *  as the app resolves them). Never fails: what cannot be fetched is simply not kept. */
async function keepDefinition(cache, url, pageUrl) {
  const definition = await keep(cache, url).catch(() => null);
  const lists = new Set();
  const walk = (value) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      if (typeof value.options_from?.url === 'string') lists.add(value.options_from.url);
      Object.values(value).forEach(walk);
    }
  };
  walk(definition?.steps);
  await Promise.all([...lists].map(async (list) => {
    const listUrl = address(list, pageUrl);
    if (listUrl?.origin === SCOPE.origin) await keep(cache, listUrl.href).catch(() => null);
  }));
}

/** `url` resolved against `base`, or null when it is no URL. */
function address(url, base) {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

/** Fetches `url` (revalidated), keeps a good answer in `cache` and returns its JSON. */
async function keep(cache, url) {
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok || response.type !== 'basic') throw new Error(`${url}: HTTP ${response.status}`);
  await cache.put(url, response.clone());
  return response.json();
}
