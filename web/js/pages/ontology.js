// The ontology browser (`#/ontology?concept=IRI`): every concept in one
// hierarchy (subclasses and narrower terms under their parents), and for
// the chosen concept its relations and the data that carries it, its
// subclasses' and narrower terms' included (GET /api/v1/concepts/{iri}).

import { get, seg } from '../api.js';
import { breakable, h, link, localName, replace, section, table, title } from '../dom.js';

const label = (c) => c.label || localName(c.id);

/** Renders the browser. */
export async function render(main, params) {
  const selected = params.get('concept');
  const [{ concepts }, detail] = await Promise.all([
    get('/concepts', { limit: 100000 }),
    selected ? get(`/concepts/${seg(selected)}`) : null,
  ]);
  title(detail ? label(detail) : 'Ontology');
  const byId = new Map(concepts.map((c) => [c.id, c]));
  const children = (c) => [...c.subClasses, ...c.narrower].filter((k) => byId.has(k.id)).sort((a, b) => label(a).localeCompare(label(b)));
  const roots = concepts.filter((c) => ![...c.broader, ...c.superClasses].some((p) => byId.has(p.id))).sort((a, b) => label(a).localeCompare(label(b)));
  const branch = (c, seen) => {
    const kids = seen.has(c.id) ? [] : children(c);
    const mark = c.id === selected ? 'true' : null;
    const here = link('ontology', { concept: c.id }, label(c));
    if (mark) here.setAttribute('aria-current', 'true');
    const next = new Set(seen).add(c.id);
    return h('li', {}, kids.length ? h('details', { open: opensTo(c, selected, byId, children) ? true : null }, h('summary', {}, here), h('ul', {}, kids.map((k) => branch(byId.get(k.id), next)))) : here);
  };
  replace(
    main,
    h('h1', {}, 'Ontology'),
    h('p', { class: 'subtitle' }, `${concepts.length} concepts: classes (subclass of) and glossary terms (broader / narrower).`),
    h(
      'div',
      { class: 'two-col' },
      h('nav', { class: 'card', 'aria-label': 'Concept hierarchy' }, h('ul', { class: 'tree' }, roots.map((c) => branch(c, new Set())))),
      detail ? conceptDetail(detail) : section('Pick a concept', h('p', {}, 'Choose a concept on the left to see its relations and the datasets, columns, products and domains that carry it.')),
    ),
  );
}

/** Whether the subtree of `c` holds `selected` (so its branch starts open). */
function opensTo(c, selected, byId, children, seen = new Set()) {
  if (!selected || seen.has(c.id)) return false;
  seen.add(c.id);
  return children(c).some((k) => k.id === selected || opensTo(byId.get(k.id), selected, byId, children, seen));
}

function conceptDetail(c) {
  const refs = (list) => (list.length ? list.map((r) => link('ontology', { concept: r.id }, h('span', { class: 'chip' }, label(r)))) : '—');
  return h(
    'div',
    {},
    section(
      label(c),
      h('p', { class: 'subtitle' }, breakable(c.id)),
      h(
        'dl',
        {},
        h('dt', {}, 'Kind'), h('dd', {}, c.kind),
        h('dt', {}, 'Notations'), h('dd', {}, c.notations.join(', ') || '—'),
        h('dt', {}, 'Subclass of'), h('dd', {}, refs(c.superClasses)),
        h('dt', {}, 'Subclasses'), h('dd', {}, refs(c.subClasses)),
        h('dt', {}, 'Broader'), h('dd', {}, refs(c.broader)),
        h('dt', {}, 'Narrower'), h('dd', {}, refs(c.narrower)),
      ),
    ),
    section(
      'Data carrying it',
      h('p', { class: 'path' }, 'Directly or through a narrower term or subclass.'),
      h('h3', {}, `Datasets (${c.datasets.length})`),
      table([['Dataset', (d) => link('dataset', { ns: d.namespace, name: d.name }, d.name)], ['Namespace', (d) => breakable(d.namespace)]], c.datasets, { empty: 'None.' }),
      h('h3', {}, `Columns (${c.columns.length})`),
      table([['Column', (col) => link('dataset', { ns: col.dataset.namespace, name: col.dataset.name, field: col.field }, `${col.dataset.name}.${col.field}`)], ['Namespace', (col) => breakable(col.dataset.namespace)]], c.columns, { empty: 'None.' }),
      h('h3', {}, `Data products (${c.products.length})`),
      h('p', {}, c.products.length ? c.products.map((p) => link('product', { id: p.id }, h('span', { class: 'chip' }, p.title || localName(p.id)))) : '—'),
      h('h3', {}, `Domains (${c.domains.length})`),
      h('p', {}, c.domains.length ? c.domains.map((d) => link('domain', { id: d.id }, h('span', { class: 'chip' }, d.label || localName(d.id)))) : '—'),
    ),
  );
}
