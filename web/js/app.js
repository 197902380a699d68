// The web UI's entry point: a router over the URL fragment. Every page is
// `#/{page}?{params}`, so each view can be bookmarked and shared and the
// server only ever serves `/`. A page module exports `render(main, params)`,
// which may return a cleanup function called before the next page renders.

import { errorBox, h, replace, route } from './dom.js';
import * as catalog from './pages/catalog.js';
import * as entities from './pages/entities.js';
import * as home from './pages/home.js';
import * as impact from './pages/impact.js';
import * as lineage from './pages/lineage.js';
import * as ontology from './pages/ontology.js';
import * as query from './pages/query.js';
import * as search from './pages/search.js';

// page name -> [section highlighted in the header, render function]
const PAGES = {
  '': ['home', home.render],
  search: ['home', search.render],
  lineage: ['lineage', lineage.render],
  impact: ['impact', impact.render],
  dataset: ['catalog', entities.renderDataset],
  job: ['catalog', entities.renderJob],
  run: ['catalog', entities.renderRun],
  catalog: ['catalog', catalog.renderCatalog],
  product: ['catalog', catalog.renderProduct],
  domain: ['catalog', catalog.renderDomain],
  ontology: ['ontology', ontology.render],
  query: ['query', query.render],
};

let cleanup = null;

/** The current fragment as `[page, URLSearchParams]`. */
function current() {
  const fragment = location.hash.replace(/^#\/?/, '');
  const [page, text = ''] = fragment.split(/\?(.*)/s);
  return [decodeURIComponent(page), new URLSearchParams(text)];
}

async function show() {
  const [page, params] = current();
  const main = document.getElementById('main');
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const entry = PAGES[page];
  // The header's search box shows the query on the results page only.
  if (page !== 'search') document.getElementById('search-box').value = '';
  for (const a of document.querySelectorAll('header nav a')) {
    if (entry && a.dataset.section === entry[0]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!entry) {
    document.title = 'Not found · meshgraph';
    replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/' }, 'Go home.')));
    return;
  }
  replace(main, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  try {
    cleanup = await entry[1](main, params);
  } catch (err) {
    console.warn(err);
    replace(main, h('h1', {}, 'Something went wrong'), errorBox(err));
  }
  // Move focus to the new content for keyboard and screen-reader users,
  // unless the page focused something itself.
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

document.getElementById('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = event.target.elements.q.value.trim();
  if (q) location.hash = route('search', { q });
});
window.addEventListener('hashchange', show);
show();
