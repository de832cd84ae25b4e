// The developer page: converts a picked .oeflow file with the importer compiled to wasm.
// Every text from the file is put into the page with textContent, never as HTML.
import init, { convert_oeflow } from './pkg/blankett_oep_web.js';

const ready = init();
const file = document.getElementById('file');
const status = document.getElementById('status');
const result = document.getElementById('result');
const report = document.getElementById('report');
const definition = document.getElementById('definition');
const download = document.getElementById('download');
const plain = document.getElementById('plain');
const plainSummary = document.getElementById('plain-summary');
let url = null;

file.addEventListener('change', async () => {
  const picked = file.files[0];
  if (!picked) return;
  await ready;
  const out = JSON.parse(convert_oeflow(new Uint8Array(await picked.arrayBuffer()), 'sv'));
  report.replaceChildren();
  for (const n of out.report) {
    const li = document.createElement('li');
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = `${n.label}: `;
    li.append(kind, `${n.at}: ${n.message}`);
    report.append(li);
  }
  document.getElementById('report-empty').hidden = out.report.length > 0;
  if (!out.ok) {
    result.hidden = out.report.length === 0;
    definition.value = '';
    status.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: `${picked.name} kunde inte konverteras: ${out.error}` }));
    return;
  }
  // The checker's plain-language suggestions for the Swedish texts (never errors).
  plainSummary.textContent = out.plain?.summary ?? '';
  plain.replaceChildren(...(out.plain?.findings ?? []).map((f) => Object.assign(document.createElement('li'), { textContent: f })));
  definition.value = out.definition;
  if (url) URL.revokeObjectURL(url);
  url = URL.createObjectURL(new Blob([out.definition], { type: 'application/json' }));
  download.href = url;
  download.download = `${out.id}.json`;
  const verdict = out.checks ? 'Definitionen godkänns av kontrollen.' : `Definitionen har fel: ${out.diagnostics.join('; ')}`;
  status.replaceChildren(Object.assign(document.createElement('p'), {
    textContent: `${picked.name} är konverterad: ${out.report.length} anmärkningar. ${verdict}`,
  }));
  result.hidden = false;
});
