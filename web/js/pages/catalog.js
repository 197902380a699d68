// The catalog: domains and their data products, with the lineage between
// products or between domains as a graph (`#/catalog?graph=products|domains`),
// and the page of one product (`#/product?id=…`) or domain (`#/domain?id=…`).

import { get, seg } from '../api.js';
import { KEYS } from '../graph-keys.js';
import { drawGraph, shortLabel } from '../graph.js';
import { breakable, h, link, localName, replace, route, section, table, title } from '../dom.js';

/** `#/catalog[?graph=domains]`. */
export async function renderCatalog(main, params) {
  title('Catalog');
  const level = params.get('graph') === 'domains' ? 'domains' : 'products';
  const [{ products }, { domains }] = await Promise.all([get('/products', { limit: 1000 }), get('/domains', { limit: 1000 })]);
  const byDomain = new Map(domains.map((d) => [d.id, []]));
  const orphans = [];
  for (const p of products) (byDomain.get(p.domain?.id) || orphans).push(p);
  const container = h('div', { class: 'graph small', 'aria-label': `Lineage between ${level}: ${KEYS}` });
  const tabs = h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Graph level' },
    ['products', 'domains'].map((l) => h('a', { class: `button${l === level ? '' : ' secondary'}`, href: route('catalog', { graph: l }), 'aria-current': l === level ? 'true' : null }, l === 'products' ? 'Product to product' : 'Domain to domain')),
  );
  replace(
    main,
    h('h1', {}, 'Catalog'),
    h('p', { class: 'subtitle' }, `${products.length} data products in ${domains.length} domains. Arrows follow the data: from the products (or domains) whose output feeds another.`),
    section('Lineage between data products and domains', tabs, container),
    domains.map((d) => domainCard(d, byDomain.get(d.id))),
    orphans.length ? section('Without a domain', productCards(orphans)) : null,
  );
  let nodes;
  let edges;
  if (level === 'products') {
    nodes = products.map((p) => ({ id: p.id, label: shortLabel(p.title || localName(p.id)), name: p.title || localName(p.id), type: 'PRODUCT' }));
    edges = products.flatMap((p) => p.downstream.map((d) => ({ source: p.id, target: d.id })));
  } else {
    nodes = domains.map((d) => ({ id: d.id, label: d.label || localName(d.id), type: 'DOMAIN' }));
    edges = domains.flatMap((d) => d.dependsOn.map((up) => ({ source: up.id, target: d.id })));
  }
  const open = (id) => { location.hash = route(level === 'products' ? 'product' : 'domain', { id }); };
  const cy = drawGraph(container, { nodes, edges, onOpen: open });
  // A click opens a product or domain at once (the keys select first, then open).
  cy.on('tap', 'node', (event) => open(event.target.id()));
  return () => cy.destroy();
}

function domainCard(domain, products) {
  return h(
    'section',
    { class: 'card domain' },
    h('h2', {}, link('domain', { id: domain.id }, domain.label || localName(domain.id))),
    domain.description ? h('p', { class: 'path' }, domain.description) : null,
    productCards(products),
  );
}

function productCards(products) {
  return h(
    'div',
    { class: 'products' },
    products.map((p) => h('div', { class: 'product' }, link('product', { id: p.id }, h('strong', {}, p.title || localName(p.id))), p.description ? h('p', {}, p.description) : null)),
  );
}

const productRef = (p) => link('product', { id: p.id }, p.title || localName(p.id));
const refs = (list, empty = 'None.') => (list.length ? h('ul', { class: 'plain' }, list.map((p) => h('li', {}, productRef(p)))) : h('p', { class: 'empty' }, empty));
const owners = (list) => (list.length ? h('ul', { class: 'plain' }, list.map((o) => h('li', {}, o.label || o.name, o.email ? h('span', { class: 'path' }, ` <${o.email}>`) : null, h('span', { class: 'path' }, ` ${o.name}`)))) : h('p', { class: 'empty' }, '—'));

function ports(list) {
  return table(
    [
      ['Port', (port) => port.title || localName(port.id)],
      ['Datasets', (port) => port.datasets.map((d) => h('div', {}, d.known ? link('dataset', { ns: d.namespace, name: d.name }, d.name) : [breakable(d.name), ' (not reported by any pipeline yet)']))],
    ],
    list,
    { empty: 'None.' },
  );
}

/** `#/product?id=…`. */
export async function renderProduct(main, params) {
  const id = params.get('id');
  const product = await get(`/products/${seg(id)}`);
  title(product.title || localName(id));
  replace(
    main,
    h('span', { class: 'kind' }, 'data product'),
    h('h1', {}, product.title || localName(id)),
    h('p', { class: 'subtitle' }, breakable(id)),
    product.description ? h('p', {}, product.description) : null,
    h(
      'div',
      { class: 'grid' },
      section(
        'About',
        h(
          'dl',
          {},
          h('dt', {}, 'Domain'), h('dd', {}, product.domain ? link('domain', { id: product.domain.id }, product.domain.label || localName(product.domain.id)) : '—'),
          h('dt', {}, 'Lifecycle'), h('dd', {}, product.lifecycleStatus?.label || '—'),
        ),
        h('h3', {}, 'Owners'),
        owners(product.owners),
      ),
      section('Upstream products', refs(product.upstream), h('h3', {}, 'Downstream products'), refs(product.downstream)),
    ),
    section('Output ports', ports(product.outputPorts)),
    section('Input ports', ports(product.inputPorts)),
  );
}

/** `#/domain?id=…`. */
export async function renderDomain(main, params) {
  const id = params.get('id');
  const domain = await get(`/domains/${seg(id)}`);
  title(domain.label || localName(id));
  const domainRefs = (list) => (list.length ? h('ul', { class: 'plain' }, list.map((d) => h('li', {}, link('domain', { id: d.id }, d.label || localName(d.id))))) : h('p', { class: 'empty' }, 'None.'));
  replace(
    main,
    h('span', { class: 'kind' }, 'domain'),
    h('h1', {}, domain.label || localName(id)),
    h('p', { class: 'subtitle' }, breakable(id)),
    domain.description ? h('p', {}, domain.description) : null,
    h(
      'div',
      { class: 'grid' },
      section('Data products', refs(domain.products)),
      section('Owners', owners(domain.owners)),
      section('Depends on', domainRefs(domain.dependsOn), h('h3', {}, 'Depended on by'), domainRefs(domain.dependents)),
    ),
  );
}
