// The query page (`#/query?q=…`): a SPARQL editor over /sparql with the
// results as a table (SELECT, ASK) or text (CONSTRUCT, DESCRIBE), the named
// queries meshgraph itself runs as examples, and a link to GraphiQL.

import { get, sparql } from '../api.js';
import { breakable, errorBox, h, remember, replace, section, title } from '../dom.js';

const EXAMPLE = `PREFIX dprod: <https://ekgf.github.io/dprod/>
PREFIX dcterms: <http://purl.org/dc/terms/>

# Every data product with its domain
SELECT ?product ?title ?domain WHERE {
  ?product a dprod:DataProduct ;
    dcterms:title ?title .
  OPTIONAL { ?product dprod:domain ?domain }
}
ORDER BY ?title`;

const ROW_LIMIT = 1000;

/** Renders the editor; runs the query in the URL, if any. */
export async function render(main, params) {
  title('Query');
  const text = params.get('q') || EXAMPLE;
  const editor = h('textarea', { id: 'sparql-query', class: 'sparql', spellcheck: 'false' });
  editor.value = text;
  const results = h('div', { class: 'results', role: 'region', 'aria-live': 'polite', 'aria-label': 'Query results' });
  const status = h('p', { class: 'graph-status', role: 'status' });
  const run = async () => {
    remember('query', { q: editor.value });
    replace(status, 'Running…');
    const started = performance.now();
    try {
      const answer = await sparql(editor.value);
      const ms = Math.round(performance.now() - started);
      showResults(results, status, answer, ms);
    } catch (err) {
      replace(status, '');
      replace(results, errorBox(err));
    }
  };
  editor.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  const { queries } = await get('/queries');
  const examples = h(
    'select',
    { id: 'sparql-examples', onchange: (e) => { const q = queries.find((x) => x.name === e.target.value); if (q) editor.value = q.query; } },
    h('option', { value: '' }, 'Load a query meshgraph runs…'),
    queries.map((q) => h('option', { value: q.name }, q.name)),
  );
  replace(
    main,
    h('h1', {}, 'Query'),
    h('p', { class: 'subtitle' }, 'SPARQL 1.1 over the whole RDF graph (every named graph is in the default graph). For GraphQL, open ', h('a', { href: '/graphql' }, 'GraphiQL'), '.'),
    section(
      'SPARQL',
      h('label', { for: 'sparql-query', class: 'visually-hidden' }, 'SPARQL query'),
      editor,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: run }, 'Run (Ctrl+Enter)'),
        h('label', { for: 'sparql-examples', class: 'visually-hidden' }, 'Example queries'),
        examples,
        h('a', { class: 'button secondary', href: '/graphql' }, 'GraphiQL'),
      ),
      status,
      results,
    ),
  );
  if (params.get('q')) await run();
}

function term(value) {
  if (!value) return '';
  if (value.type === 'uri') return h('span', { class: 'mono' }, breakable(value.value));
  // A long literal without spaces (a facet's JSON, an id) wraps at its
  // separators like an IRI; numbers, times and prose stay as they are.
  return value.value.length > 30 && !/\s/.test(value.value) ? breakable(value.value) : value.value;
}

function showResults(results, status, answer, ms) {
  if (typeof answer.text === 'string') {
    replace(status, `Graph in ${ms} ms`);
    replace(results, h('pre', {}, answer.text));
    return;
  }
  if (typeof answer.boolean === 'boolean') {
    replace(status, `ASK in ${ms} ms`);
    replace(results, h('p', {}, String(answer.boolean)));
    return;
  }
  const vars = answer.head.vars;
  const rows = answer.results.bindings;
  const shown = rows.slice(0, ROW_LIMIT);
  replace(status, `${rows.length} row${rows.length === 1 ? '' : 's'} in ${ms} ms${rows.length > ROW_LIMIT ? `, the first ${ROW_LIMIT} shown` : ''}`);
  replace(
    results,
    h(
      'table',
      { id: 'sparql-results' },
      h('thead', {}, h('tr', {}, vars.map((v) => h('th', { scope: 'col' }, `?${v}`)))),
      h('tbody', {}, shown.map((row) => h('tr', {}, vars.map((v) => h('td', {}, term(row[v])))))),
    ),
  );
}
