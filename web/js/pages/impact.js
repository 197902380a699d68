// Impact analysis: `#/impact?node=…&direction=…&level=…&depth=…&asOf=…`
// answers "what breaks if I change this?" (GET /api/v1/impact): every node
// reached with its distance and path, grouped by domain, data product and
// owner, and the whole list as CSV.

import { getText, get } from '../api.js';
import { breakable, errorBox, field, h, link, nodeLink, replace, route, section, table, title } from '../dom.js';

const LISTED = 500;

/** Renders the impact page. */
export async function render(main, params) {
  const view = {
    node: params.get('node') || '',
    direction: params.get('direction') || 'downstream',
    level: params.get('level') || '',
    depth: params.get('depth') || '',
    asOf: params.get('asOf') || '',
  };
  title(view.node ? `Impact of ${view.node}` : 'Impact analysis');
  const results = h('div', { role: 'region', 'aria-live': 'polite', 'aria-label': 'Impact results' });
  replace(main, h('h1', {}, 'Impact analysis'), controls(view), results);
  if (!view.node) {
    replace(results, section('What breaks if I change this?', h('p', {}, 'Give a dataset (dataset:NAMESPACE:NAME), a column (datasetField:NAMESPACE:NAME:FIELD) or a job: everything downstream of it is listed with its distance and path, grouped by domain, data product and owner.')));
    return null;
  }
  const query = { nodeId: view.node, direction: view.direction, level: view.level, depth: view.depth, asOf: view.asOf };
  let report;
  try {
    report = await get('/impact', { ...query, limit: LISTED });
  } catch (err) {
    replace(results, errorBox(err));
    return null;
  }
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  const productTitle = new Map(report.groups.products.map((p) => [p.id, p.title || p.id]));
  const c = report.counts;
  replace(
    results,
    h(
      'div',
      { class: 'counts' },
      [['reached', 'reached'], ['datasets', 'datasets'], ['jobs', 'jobs'], ['columns', 'columns']].map(([key, label]) =>
        h('div', { class: 'count' }, h('span', { class: 'n' }, c[key].toLocaleString('en')), h('span', { class: 'what' }, label)),
      ),
      h('div', { class: 'count' }, h('span', { class: 'n' }, report.groups.products.length), h('span', { class: 'what' }, 'data products')),
      h('div', { class: 'count' }, h('span', { class: 'n' }, report.groups.domains.length), h('span', { class: 'what' }, 'domains')),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: (e) => downloadCsv(e.target, query) }, 'Download CSV (every node)'),
      h('a', { class: 'button secondary', href: route('lineage', { node: view.node, direction: view.direction === 'upstream' ? 'upstream' : 'downstream', level: view.node.startsWith('datasetField:') || view.level === 'column' ? 'column' : 'dataset', depth: view.depth || 20, asOf: view.asOf }) }, 'See it as a graph'),
    ),
    h(
      'div',
      { class: 'grid groups' },
      section(
        'Domains',
        table(
          [
            ['Domain', (d) => link('domain', { id: d.id }, d.label || d.id)],
            ['Distance', (d) => d.distance],
            ['Products', (d) => d.products.map((p) => h('span', { class: 'chip' }, productTitle.get(p) || p))],
          ],
          report.groups.domains,
          { empty: 'No domain is affected.' },
        ),
      ),
      section(
        'Data products',
        table(
          [
            ['Product', (p) => link('product', { id: p.id }, p.title || p.id)],
            ['Distance', (p) => p.distance],
            ['Datasets', (p) => p.datasets],
            ['Columns', (p) => p.columns],
            ['Owners', (p) => breakable(p.owners.join(', ') || '—')],
          ],
          report.groups.products,
          { empty: 'No data product is affected.' },
        ),
      ),
      section(
        'Owners',
        table(
          [
            ['Owner', (o) => breakable(o.name)],
            ['Distance', (o) => o.distance],
            ['Datasets', (o) => o.datasets],
            ['Jobs', (o) => o.jobs],
            ['Columns', (o) => o.columns],
            ['From', (o) => o.sources.join(', ')],
          ],
          report.groups.owners,
          { empty: 'No owner is affected.' },
        ),
      ),
    ),
    section(
      report.page.total > report.nodes.length ? `Affected nodes (the nearest ${report.nodes.length} of ${report.page.total}; the CSV has all)` : 'Affected nodes',
      table(
        [
          ['Node', (n) => nodeLink(n)],
          ['Kind', (n) => h('span', { class: `kind ${n.type}` }, n.type.replace('_', ' ').toLowerCase())],
          ['Distance', (n) => n.distance],
          ['Path', (n) => pathOf(n, byId)],
          ['Products', (n) => n.products.map((p) => h('span', { class: 'chip' }, productTitle.get(p) || p))],
          ['Owners', (n) => breakable(n.owners.join(', ') || '—')],
        ],
        report.nodes,
        { empty: 'Nothing is affected.' },
      ),
    ),
  );
  return null;
}

function pathOf(node, byId) {
  const steps = (node.path || []).map((id) => (byId.has(id) ? nodeLink(byId.get(id)) : breakable(id)));
  // The spaces around each arrow are where a long path wraps.
  return h('span', { class: 'path' }, steps.map((step, i) => (i ? [' ', h('span', { 'aria-hidden': 'true' }, '→'), ' ', step] : step)));
}

async function downloadCsv(button, query) {
  button.disabled = true;
  try {
    const text = await getText('/impact', query, 'text/csv');
    const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: 'impact.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (err) {
    button.after(errorBox(err));
  } finally {
    button.disabled = false;
  }
}

function controls(view) {
  const node = h('input', { id: 'impact-node', name: 'node', value: view.node, required: true, placeholder: 'dataset:NAMESPACE:NAME or datasetField:NAMESPACE:NAME:FIELD' });
  const direction = h('select', {}, ['downstream', 'upstream'].map((d) => h('option', { value: d, selected: d === view.direction }, d)));
  const level = h('select', {}, [['', 'from the node'], ['dataset', 'datasets'], ['column', 'columns']].map(([v, text]) => h('option', { value: v, selected: v === view.level }, text)));
  const depth = h('input', { type: 'number', min: 1, value: view.depth, placeholder: 'any' });
  const asOf = h('input', { value: view.asOf, placeholder: 'now, or 2025-03-05T00:00:00Z' });
  return h(
    'form',
    {
      class: 'controls card',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = route('impact', { node: node.value.trim(), direction: direction.value, level: level.value, depth: depth.value, asOf: asOf.value.trim() });
      },
    },
    h('div', { class: 'field wide' }, h('label', { for: 'impact-node' }, 'Change to'), node),
    field('Direction', direction),
    field('Level', level),
    field('Depth', depth),
    field('As of', asOf),
    h('button', { type: 'submit' }, 'Analyse'),
  );
}
