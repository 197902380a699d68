// Home: the mesh at a glance (GET /api/v1/overview): counts, the runs with
// the latest activity, the jobs whose latest run failed, and a search box.

import { get } from '../api.js';
import { breakable, duration, h, link, replace, route, section, stateBadge, table, time, title } from '../dom.js';

const COUNTS = [
  ['namespaces', 'Namespaces', null],
  ['datasets', 'Datasets', route('lineage')],
  ['jobs', 'Jobs', route('lineage')],
  ['runs', 'Runs', null],
  ['products', 'Data products', route('catalog')],
  ['domains', 'Domains', route('catalog')],
  ['concepts', 'Concepts', route('ontology')],
];

function runRows(runs) {
  return table(
    [
      ['Job', (r) => [link('job', { ns: r.job.namespace, name: r.job.name }, r.job.name), h('div', { class: 'path' }, breakable(r.job.namespace))]],
      ['State', (r) => link('run', { id: r.run.id }, stateBadge(r.run.state))],
      ['Started', (r) => time(r.run.startedAt)],
      ['Duration', (r) => duration(r.run.durationMs)],
    ],
    runs,
    { empty: 'No runs yet.' },
  );
}

/** Renders the home page. */
export async function render(main) {
  title('');
  const overview = await get('/overview');
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Find a dataset, column, job, product, domain or concept', 'aria-label': 'Search the mesh' });
  replace(
    main,
    h('h1', {}, 'The mesh at a glance'),
    h('p', { class: 'subtitle' }, 'Lineage reported by your pipelines, joined with the data products, domains and ontologies your teams publish.'),
    h(
      'form',
      { class: 'hero-search', role: 'search', onsubmit: (e) => { e.preventDefault(); if (search.value.trim()) location.hash = route('search', { q: search.value.trim() }); } },
      search,
      h('button', { type: 'submit' }, 'Search'),
    ),
    h(
      'div',
      { class: 'counts' },
      COUNTS.map(([key, label, href]) =>
        h(
          href ? 'a' : 'div',
          { class: 'count', href, 'data-count': key },
          h('span', { class: 'n' }, overview.counts[key].toLocaleString('en')),
          h('span', { class: 'what' }, label),
        ),
      ),
    ),
    h(
      'div',
      { class: 'grid home' },
      section('Recent runs', runRows(overview.recentRuns)),
      section(
        'Failing jobs',
        overview.failingJobs.length
          ? runRows(overview.failingJobs)
          : h('p', { class: 'empty' }, 'No job whose latest run failed.'),
      ),
    ),
  );
  search.focus();
}
