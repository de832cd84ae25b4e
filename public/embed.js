// ---- Blankett on a host page: the <blankett-form> element (public/embed.js) ----
//
// This file is a template. `cargo xtask build` writes dist/embed.js from it: wasm-bindgen's glue
// first (the same module the app's own page loads), then this code, with WASM_FILE (the built
// module's name), WASM_INTEGRITY (its SHA-384, so an altered module is refused), CSS_FILE and
// CSS (the app's stylesheet) filled in (xtask/src/main.rs, `write_embed_script`). One script,
// one element, everything else loads from where the script came from:
//
//   <script type="module" src="https://e-tjanster.exempelby.se/embed-0123456789abcdef.js"
//           integrity="sha384-…" crossorigin="anonymous"></script>
//   <blankett-form src="https://e-tjanster.exempelby.se/forms/felanmalan.json" lang="sv"></blankett-form>
//
// Attributes (docs/embedding.md): src (required), lang, start, submit-url, prefill (JSON),
// theme ("primary: #00594f; radius: 0"), mode="iframe", frame-title. Each element is a form of its own, in
// its own shadow root: the host's CSS does not reach in, and the form's CSS and ids do not
// reach out. The one global is `window.blankett`.

const WASM_FILE = "__WASM_FILE__";
const WASM_INTEGRITY = "__WASM_INTEGRITY__";
const CSS_FILE = "__CSS_FILE__";
const CSS = "__CSS__";

/** The design tokens a `theme` attribute may set, as `--bk-<name>`. */
const TOKENS = new Set(['font', 'text', 'muted', 'bg', 'surface', 'primary', 'primary-text', 'primary-hover',
  'border', 'error', 'error-bg', 'focus', 'focus-text', 'radius', 'max-width']);

/** Where the runtime's files are: the folder this script came from. */
const BASE = new URL('./', import.meta.url);

const ns = (globalThis.blankett ??= {});
// Read by the runtime's start: on a host page it mounts nothing by itself.
ns.embedded = true;
ns.preloads ??= {};

let runtime = null;
/** Loads and starts the runtime once for every form on the page. */
function loadRuntime() {
  runtime ??= (async () => {
    const glue = await import(import.meta.url);
    const wasm = fetch(new URL(WASM_FILE, BASE), { integrity: WASM_INTEGRITY, credentials: 'omit' });
    await glue.default({ module_or_path: wasm });
    return glue;
  })();
  return runtime;
}

let sheet = null;
/** The app's stylesheet, made once and adopted by every form's shadow root. */
function styleSheet() {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

/** Says something in both languages inside a form's region, as text. */
function say(container, sv, en) {
  const p = document.createElement('p');
  p.setAttribute('role', 'status');
  p.textContent = `${sv} ${en}`;
  container.replaceChildren(p);
  return p;
}

/** `theme="primary: #00594f; radius: 0"` → [['--bk-primary', '#00594f'], …], known names only. */
export function parseTheme(text) {
  const out = [];
  for (const part of (text ?? '').split(';')) {
    const i = part.indexOf(':');
    if (i < 0) continue;
    const name = part.slice(0, i).trim().toLowerCase();
    const value = part.slice(i + 1).trim();
    // A value is one plain CSS value: nothing that loads from elsewhere or ends the declaration.
    if (!TOKENS.has(name) || value === '' || /[;{}<>\\]|url\(|image\(/i.test(value)) {
      console.warn(`blankett-form: theme ignores "${part.trim()}"`);
      continue;
    }
    out.push([`--bk-${name}`, value]);
  }
  return out;
}

class BlankettForm extends HTMLElement {
  #mounted = false;
  #frameListener = null;

  connectedCallback() {
    if (this.#mounted) return;
    this.#mounted = true;
    const src = this.getAttribute('src');
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    this.#adoptStyles(root);
    const container = document.createElement('div');
    container.className = 'bk-root';
    root.replaceChildren(container);
    for (const [name, value] of parseTheme(this.getAttribute('theme'))) this.style.setProperty(name, value);
    if (!src) {
      say(container, 'Formuläret saknar adress (src).', 'The form has no address (src).');
      this.#error('config', 'the src attribute is missing');
      return;
    }
    const url = new URL(src, document.baseURI).href;
    if (this.getAttribute('mode') === 'iframe') {
      this.#frame(container, url);
      return;
    }
    // The definition's download starts now, while the runtime loads; the runtime takes it.
    if (!ns.preloads[url]) {
      const response = fetch(url, { credentials: 'omit' });
      response.catch(() => {}); // the form reports a failure when it takes the response
      ns.preloads[url] = response;
    }
    say(container, 'Laddar formuläret …', 'Loading the form …');
    let prefill = null;
    const prefillText = this.getAttribute('prefill');
    if (prefillText) {
      try { prefill = JSON.parse(prefillText); } catch (e) { console.warn(`blankett-form: prefill is not JSON: ${e.message}`); }
    }
    const submitUrl = this.getAttribute('submit-url');
    const config = JSON.stringify({
      src: url,
      lang: this.#lang(),
      start: this.hasAttribute('start'),
      submit_url: submitUrl ? new URL(submitUrl, document.baseURI).href : null,
      prefill: prefill && typeof prefill === 'object' ? prefill : null,
    });
    loadRuntime().then((glue) => {
      if (!this.#mounted) return;
      container.replaceChildren();
      glue.mount_embedded(this, root, container, config);
    }).catch((e) => {
      console.error('blankett-form: the runtime did not start', e);
      say(container, 'E-tjänsten kunde inte starta. Ladda om sidan och försök igen.',
        'The e-service could not start. Reload the page and try again.');
      this.#error('runtime', String(e?.message ?? e));
    });
  }

  disconnectedCallback() {
    if (!this.#mounted) return;
    this.#mounted = false;
    if (this.#frameListener) window.removeEventListener('message', this.#frameListener);
    this.#frameListener = null;
    runtime?.then((glue) => glue.unmount_embedded(this)).catch(() => {});
  }

  #adoptStyles(root) {
    if ('adoptedStyleSheets' in root) {
      root.adoptedStyleSheets = [styleSheet()];
    } else {
      // Older browsers: the same stylesheet by address (the host's CSP must allow its origin).
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = new URL(CSS_FILE, BASE).href;
      root.append(link);
    }
  }

  /** The `lang` attribute, else the language of the page around the element (`<html lang>`). */
  #lang() {
    return this.getAttribute('lang') ?? this.closest('[lang]')?.getAttribute('lang')?.slice(0, 2) ?? null;
  }

  #error(kind, message) {
    this.dispatchEvent(new CustomEvent('blankett:error', { bubbles: true, composed: true, detail: { kind, message } }));
  }

  /** iframe mode: the app's own page in a frame as tall as its content, talking by postMessage. */
  #frame(container, url) {
    const page = new URL('./', BASE);
    page.searchParams.set('src', url);
    page.searchParams.set('frame', location.origin);
    if (this.#lang()) page.searchParams.set('lang', this.#lang());
    for (const name of ['theme', 'prefill', 'submit-url']) {
      if (this.hasAttribute(name)) console.warn(`blankett-form: ${name} is not used in iframe mode (the form runs on its own page there)`);
    }
    if (this.hasAttribute('start')) page.searchParams.set('start', '1');
    const frame = document.createElement('iframe');
    frame.src = page.href;
    // The host's name for the frame stays; without one, the frame is named by the form's page.
    const fixedTitle = this.getAttribute('frame-title');
    frame.title = fixedTitle ?? (this.#lang() === 'en' ? 'Form' : 'Formulär');
    frame.className = 'bk-frame';
    frame.style.setProperty('width', '100%');
    frame.style.setProperty('border', '0');
    frame.style.setProperty('display', 'block');
    frame.style.setProperty('height', '30rem');
    container.replaceChildren(frame);
    this.#frameListener = (e) => {
      // Only the app in this element's own frame, from the runtime's origin.
      if (e.source !== frame.contentWindow || e.origin !== BASE.origin) return;
      const data = e.data;
      if (!data || typeof data.blankett !== 'string') return;
      if (data.blankett === 'height' && Number.isFinite(data.detail?.height)) {
        frame.style.setProperty('height', `${Math.ceil(data.detail.height)}px`);
      } else if (data.blankett === 'title' && typeof data.detail?.title === 'string' && fixedTitle === null) {
        frame.title = data.detail.title;
      } else {
        this.dispatchEvent(new CustomEvent(`blankett:${data.blankett}`, { bubbles: true, composed: true, detail: data.detail }));
      }
    };
    window.addEventListener('message', this.#frameListener);
  }
}

if (!customElements.get('blankett-form')) customElements.define('blankett-form', BlankettForm);
