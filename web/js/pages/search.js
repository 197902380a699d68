// Search results (GET /api/v1/search): datasets, columns, jobs, products,
// domains and concepts, best matches first, each linking to its page.

import { get } from '../api.js';
import { breakable, h, link, replace, section, table, title } from '../dom.js';

const KINDS = {
  DATASET: 'Dataset',
  DATASET_FIELD: 'Column',
  JOB: 'Job',
  DATA_PRODUCT: 'Data product',
  DOMAIN: 'Domain',
  CONCEPT: 'Concept',
};

/** The UI page of a search result. */
function target(result) {
  const [, rest] = result.nodeId.split(/:(.*)/s);
  switch (result.type) {
    case 'DATASET':
      return link('dataset', { ns: result.namespace, name: rest.slice(result.namespace.length + 1) }, result.name);
    case 'DATASET_FIELD': {
      const datasetAndField = rest.slice(result.namespace.length + 1);
      const dataset = datasetAndField.slice(0, datasetAndField.length - result.name.length - 1);
      return link('dataset', { ns: result.namespace, name: dataset, field: result.name }, `${dataset}.${result.name}`);
    }
    case 'JOB':
      return link('job', { ns: result.namespace, name: rest.slice(result.namespace.length + 1) }, result.name);
    case 'DATA_PRODUCT':
      return link('product', { id: result.nodeId }, result.name);
    case 'DOMAIN':
      return link('domain', { id: result.nodeId }, result.name);
    case 'CONCEPT':
      return link('ontology', { concept: result.nodeId }, result.name);
    default:
      return breakable(result.name);
  }
}

/** Renders `#/search?q=…`. */
export async function render(main, params) {
  const q = params.get('q') || '';
  title(`Search: ${q}`);
  const box = document.getElementById('search-box');
  if (box) box.value = q;
  const answer = q ? await get('/search', { q, limit: 100 }) : { results: [], totalCount: 0 };
  replace(
    main,
    h('h1', {}, q ? `Results for “${q}”` : 'Search'),
    h('p', { class: 'subtitle', role: 'status' }, `${answer.totalCount} match${answer.totalCount === 1 ? '' : 'es'}`),
    section(
      'Matches',
      table(
        [
          ['Name', target],
          ['Kind', (r) => h('span', { class: `kind ${r.type}` }, KINDS[r.type] || r.type)],
          ['Namespace', (r) => breakable(r.namespace || '—')],
          ['Matched', (r) => `${r.match.toLowerCase()} ${r.field.toLowerCase()}`],
        ],
        answer.results,
        { empty: 'Nothing matches.' },
      ),
    ),
  );
}
