// Building the DOM: `h()` makes elements (text always goes in as text, never
// as HTML, so names from the mesh cannot inject markup), plus the formatting
// and link helpers every page shares.

/**
 * An element: `h('a', {href: '#/'}, 'Home')`. Attributes starting with `on`
 * are listeners; `class`, `for` and the rest are set as attributes; `null`
 * and `false` attributes and children are skipped; arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A UI route: `route('dataset', {ns, name})` is `#/dataset?ns=…&name=…`. */
export function route(page, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
  }
  const text = query.toString();
  return `#/${page}${text ? `?${text}` : ''}`;
}

/** Rewrites the current URL's parameters without rendering again: a page
 * that changed its own view keeps the address shareable. */
export function remember(page, params) {
  history.replaceState(null, '', route(page, params));
}

/** Sets the window title for a page. */
export function title(text) {
  document.title = text ? `${text} · meshgraph` : 'meshgraph';
}

/** A link to a UI route; text children are names, so `breakable`. */
export function link(page, params, ...children) {
  return h('a', { href: route(page, params) }, children.map((child) => (typeof child === 'string' ? breakable(child) : child)));
}

/**
 * A name or IRI that may wrap after its separators (`/ . _ : #`), as `<wbr>`
 * between its parts, and nowhere else: `ANALYTICS.SALES.FCT_ORDERS` wraps
 * after a dot, never inside `SALES`. Table columns are then as narrow as a
 * name's longest part (app.css explains why cells do not break words).
 */
export function breakable(text) {
  const parts = String(text).split(/(?<=[/._:#])(?=.)/);
  return parts.flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}

/** The UI page of a lineage node id or a parsed node: dataset, job or column. */
export function nodeLink(node, text) {
  const label = text ?? nodeLabel(node);
  if (node.type === 'JOB') return link('job', { ns: node.namespace, name: node.name }, label);
  if (node.type === 'DATASET_FIELD') {
    return link('dataset', { ns: node.namespace, name: node.name, field: node.field }, label);
  }
  return link('dataset', { ns: node.namespace, name: node.name }, label);
}

/** A node's short label: a dataset's or job's name, a column's `name.field`. */
export function nodeLabel(node) {
  return node.type === 'DATASET_FIELD' ? `${node.name}.${node.field}` : node.name;
}

/** Lineage node ids, as the API spells them. */
export const nodeId = {
  dataset: (ns, name) => `dataset:${ns}:${name}`,
  job: (ns, name) => `job:${ns}:${name}`,
  field: (ns, name, field) => `datasetField:${ns}:${name}:${field}`,
};

/** A table: `columns` are `[heading, row => cell]`; an empty body says `empty`. */
export function table(columns, rows, { caption, empty = 'Nothing to show.' } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))),
    ),
  );
}

/** A run state as a coloured badge. */
export function stateBadge(state) {
  const text = state || 'NEW';
  const tone = { COMPLETED: 'ok', COMPLETE: 'ok', FAILED: 'bad', FAIL: 'bad', ABORTED: 'bad', ABORT: 'bad', RUNNING: 'run', START: 'run' }[text] || 'neutral';
  return h('span', { class: `badge ${tone}` }, text);
}

/** A timestamp, readable and in UTC (the mesh's events are). */
export function time(text) {
  if (!text) return '—';
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  return h('time', { datetime: text, title: text }, date.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, 'Z'));
}

/** A duration in milliseconds, readable. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  // No-break spaces keep each number with its unit.
  if (ms < 1000) return `${ms}\u00a0ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}\u00a0s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}\u00a0min ${Math.round(s % 60)}\u00a0s`;
  return `${Math.floor(m / 60)}\u00a0h ${m % 60}\u00a0min`;
}

/** Facets (or any JSON) as collapsible, verbatim JSON, one per key. */
export function facetList(facets) {
  const keys = Object.keys(facets || {}).sort();
  if (!keys.length) return h('p', { class: 'empty' }, 'No facets.');
  return h(
    'div',
    { class: 'facets' },
    keys.map((key) => h('details', {}, h('summary', {}, key), h('pre', {}, JSON.stringify(facets[key], null, 2)))),
  );
}

/** An error box for a failed request. */
export function errorBox(err) {
  const code = err && err.code ? `${err.code}: ` : '';
  return h('div', { class: 'error', role: 'alert' }, `${code}${err && err.message ? err.message : String(err)}`);
}

/** A section with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A labelled form control: `field('Depth', input)`. */
export function field(label, control) {
  if (!control.id) control.id = `f-${Math.random().toString(36).slice(2, 9)}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

/** The last segment of an IRI, for when it has no label. */
export function localName(iri) {
  return decodeURIComponent(String(iri).replace(/[/#]$/, '').split(/[/#]/).pop());
}
