// The pages of one dataset, job or run (`#/dataset?ns=…&name=…`,
// `#/job?ns=…&name=…`, `#/run?id=…`): Marquez's REST answers for the
// facts and facets, GraphQL for owners, data products, concepts and a run's
// state history.

import { get, graphql, seg } from '../api.js';
import { breakable, duration, facetList, h, link, localName, nodeId, replace, section, stateBadge, table, time, title } from '../dom.js';

const DATASET_EXTRAS = `query DatasetExtras($namespace: String!, $name: String!, $nodeId: String!) {
  dataset(namespace: $namespace, name: $name) {
    owners { name type }
    products { id title domain }
    concepts { id label field via }
  }
  lineage(nodeId: $nodeId, direction: BOTH, depth: 1) {
    nodes { id type namespace name }
    edges { origin destination }
  }
}`;

function datasetLinks(list) {
  return h('ul', { class: 'plain' }, list.map((d) => h('li', {}, link('dataset', { ns: d.namespace, name: d.name }, d.name), h('span', { class: 'path' }, ' ', breakable(d.namespace)))));
}

/** `#/dataset?ns=…&name=…[&field=…]`. */
export async function renderDataset(main, params) {
  const ns = params.get('ns');
  const name = params.get('name');
  const focus = params.get('field');
  title(name);
  const id = nodeId.dataset(ns, name);
  const [ds, extras, columnLineage] = await Promise.all([
    get(`/namespaces/${seg(ns)}/datasets/${seg(name)}`),
    graphql(DATASET_EXTRAS, { namespace: ns, name, nodeId: id }),
    get('/column-lineage', { nodeId: id, depth: 1 }),
  ]);
  // Each of this dataset's columns -> the input columns it derives from.
  const derivedFrom = new Map();
  for (const node of columnLineage.graph) {
    if (node.type === 'DATASET_FIELD' && node.data?.namespace === ns && node.data?.dataset === name) {
      derivedFrom.set(node.data.field, node.data.inputFields || []);
    }
  }
  const concepts = new Map();
  for (const c of extras.dataset?.concepts || []) {
    const key = c.field || '';
    if (!concepts.has(key)) concepts.set(key, []);
    // A concept stated and also tagged comes twice: show it once.
    if (!concepts.get(key).some((k) => k.id === c.id)) concepts.get(key).push(c);
  }
  const conceptChips = (key) => (concepts.get(key) || []).map((c) => link('ontology', { concept: c.id }, h('span', { class: 'chip', title: `via ${c.via.toLowerCase()}` }, c.label || localName(c.id))));
  const writers = extras.lineage.edges.filter((e) => e.destination === id).map((e) => e.origin);
  const readers = extras.lineage.edges.filter((e) => e.origin === id).map((e) => e.destination);
  const jobsOf = (ids) => {
    const jobs = extras.lineage.nodes.filter((n) => ids.includes(n.id));
    return jobs.length ? h('ul', { class: 'plain' }, jobs.map((j) => h('li', {}, link('job', { ns: j.namespace, name: j.name }, j.name)))) : h('p', { class: 'empty' }, 'None reported.');
  };
  // The runs that wrote it: its writers' latest runs, newest first.
  const writerJobs = extras.lineage.nodes.filter((n) => writers.includes(n.id));
  const writerRuns = (
    await Promise.all(
      writerJobs.map((j) =>
        get(`/namespaces/${seg(j.namespace)}/jobs/${seg(j.name)}/runs`, { limit: 10 }).then((answer) => answer.runs.map((run) => ({ ...run, job: j }))),
      ),
    )
  )
    .flat()
    .sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
  const owners = extras.dataset?.owners || [];
  const products = extras.dataset?.products || [];
  replace(
    main,
    h('span', { class: 'kind DATASET' }, `dataset · ${ds.type}`),
    h('h1', {}, breakable(ds.name)),
    h('p', { class: 'subtitle' }, breakable(ds.namespace)),
    ds.description ? h('p', {}, ds.description) : null,
    h(
      'div',
      { class: 'actions' },
      link('lineage', { node: id }, h('span', { class: 'button' }, 'Lineage')),
      link('lineage', { node: id, level: 'column', direction: 'upstream' }, h('span', { class: 'button secondary' }, 'Column lineage')),
      link('impact', { node: id }, h('span', { class: 'button secondary' }, 'Impact of a change')),
    ),
    h(
      'div',
      { class: 'grid' },
      section(
        'About',
        h(
          'dl',
          { class: 'panel-dl' },
          h('dt', {}, 'Owners'), h('dd', {}, owners.length ? owners.map((o) => h('span', { class: 'chip' }, o.type ? `${o.name} (${o.type})` : o.name)) : '—'),
          h('dt', {}, 'Data products'), h('dd', {}, products.length ? products.map((p) => link('product', { id: p.id }, h('span', { class: 'chip' }, p.title || localName(p.id)))) : '—'),
          h('dt', {}, 'Concepts'), h('dd', {}, conceptChips('').length ? conceptChips('') : '—'),
          h('dt', {}, 'Tags'), h('dd', {}, ds.tags.length ? ds.tags.map((t) => h('span', { class: 'chip' }, t)) : '—'),
          h('dt', {}, 'Created'), h('dd', {}, time(ds.createdAt)),
          h('dt', {}, 'Updated'), h('dd', {}, time(ds.updatedAt)),
        ),
      ),
      section('Written by', jobsOf(writers), h('h3', {}, 'Read by'), jobsOf(readers)),
    ),
    section(
      `Schema (${ds.fields.length} columns)`,
      table(
        [
          ['Column', (f) => h('span', { class: 'mono', id: `field-${f.name}`, 'aria-current': f.name === focus ? 'true' : null }, f.name === focus ? h('strong', {}, breakable(f.name)) : breakable(f.name))],
          ['Type', (f) => f.type || '—'],
          ['Description', (f) => f.description || ''],
          ['Concepts', (f) => conceptChips(f.name)],
          ['Derived from', (f) => (derivedFrom.get(f.name) || []).map((input) => h('div', {}, link('dataset', { ns: input.namespace, name: input.dataset, field: input.field }, `${input.dataset}.${input.field}`), h('span', { class: 'path' }, ` ${[input.transformationKind, input.transformationType].filter(Boolean).join(' ').toLowerCase()}${input.masking ? ', masked' : ''}`)))],
          ['', (f) => h('span', {}, link('lineage', { node: nodeId.field(ns, name, f.name), level: 'column' }, 'lineage'), ' · ', link('impact', { node: nodeId.field(ns, name, f.name) }, 'impact'))],
        ],
        ds.fields,
        { empty: 'No schema reported.' },
      ),
    ),
    section(
      'Runs that wrote it',
      table(
        [
          ['Job', (r) => link('job', { ns: r.job.namespace, name: r.job.name }, r.job.name)],
          ['State', (r) => link('run', { id: r.id }, stateBadge(r.state))],
          ['Started', (r) => time(r.startedAt)],
          ['Duration', (r) => duration(r.durationMs)],
        ],
        writerRuns,
        { empty: 'No run reported writing it.' },
      ),
    ),
    section('Facets', h('p', { class: 'path' }, 'As the producers sent them, custom facets included.'), facetList(ds.facets)),
  );
  if (focus) document.getElementById(`field-${focus}`)?.scrollIntoView({ block: 'center' });
}

function runTable(runs) {
  return table(
    [
      ['Run', (r) => link('run', { id: r.id }, h('span', { class: 'mono' }, r.id.slice(0, 8)))],
      ['State', (r) => stateBadge(r.state)],
      ['Started', (r) => time(r.startedAt)],
      ['Ended', (r) => time(r.endedAt)],
      ['Duration', (r) => duration(r.durationMs)],
    ],
    runs,
    { empty: 'No runs.' },
  );
}

/** `#/job?ns=…&name=…`. */
export async function renderJob(main, params) {
  const ns = params.get('ns');
  const name = params.get('name');
  title(name);
  const [job, runs] = await Promise.all([
    get(`/namespaces/${seg(ns)}/jobs/${seg(name)}`),
    get(`/namespaces/${seg(ns)}/jobs/${seg(name)}/runs`, { limit: 50 }),
  ]);
  const sql = job.facets?.sql?.query;
  replace(
    main,
    h('span', { class: 'kind JOB' }, `job · ${job.type}`),
    h('h1', {}, breakable(job.name)),
    h('p', { class: 'subtitle' }, breakable(job.namespace)),
    job.description ? h('p', {}, job.description) : null,
    h('div', { class: 'actions' }, link('lineage', { node: nodeId.job(ns, name) }, h('span', { class: 'button' }, 'Lineage'))),
    h(
      'div',
      { class: 'grid' },
      section(
        'About',
        h(
          'dl',
          {},
          h('dt', {}, 'Latest run'), h('dd', {}, job.latestRun ? link('run', { id: job.latestRun.id }, stateBadge(job.latestRun.state)) : '—'),
          h('dt', {}, 'Parent'), h('dd', {}, job.parentJobName ? link('job', { ns, name: job.parentJobName }, job.parentJobName) : '—'),
          h('dt', {}, 'Location'), h('dd', {}, breakable(job.location || '—')),
          h('dt', {}, 'Tags'), h('dd', {}, job.tags.length ? job.tags.map((t) => h('span', { class: 'chip' }, t)) : '—'),
          h('dt', {}, 'Updated'), h('dd', {}, time(job.updatedAt)),
        ),
      ),
      section('Inputs', job.inputs.length ? datasetLinks(job.inputs) : h('p', { class: 'empty' }, 'None.'), h('h3', {}, 'Outputs'), job.outputs.length ? datasetLinks(job.outputs) : h('p', { class: 'empty' }, 'None.')),
    ),
    sql ? section('SQL', h('pre', {}, sql)) : null,
    section(`Run history (${runs.totalCount ?? runs.runs.length})`, runTable(runs.runs)),
    section('Facets', facetList(job.facets)),
  );
}

const RUN_EXTRAS = `query RunExtras($id: ID!) {
  run(id: $id) { jobNamespace jobName stateHistory { eventType eventTime } }
}`;

/** `#/run?id=…`. */
export async function renderRun(main, params) {
  const id = params.get('id');
  title(`Run ${id}`);
  const [run, extras] = await Promise.all([get(`/jobs/runs/${seg(id)}`), graphql(RUN_EXTRAS, { id })]);
  const job = extras.run;
  const datasets = (versions) => versions.map((v) => v.datasetVersionId);
  replace(
    main,
    h('span', { class: 'kind JOB' }, 'run'),
    h('h1', { class: 'mono' }, run.id),
    h('p', { class: 'subtitle' }, 'of ', link('job', { ns: job.jobNamespace, name: job.jobName }, job.jobName), ' (', breakable(job.jobNamespace), ')'),
    h(
      'div',
      { class: 'grid' },
      section(
        'About',
        h(
          'dl',
          {},
          h('dt', {}, 'State'), h('dd', {}, stateBadge(run.state)),
          h('dt', {}, 'Started'), h('dd', {}, time(run.startedAt)),
          h('dt', {}, 'Ended'), h('dd', {}, time(run.endedAt)),
          h('dt', {}, 'Duration'), h('dd', {}, duration(run.durationMs)),
          h('dt', {}, 'Nominal time'), h('dd', {}, time(run.nominalStartTime)),
        ),
        h('h3', {}, 'State history'),
        table([['Event', (t) => stateBadge(t.eventType)], ['At', (t) => time(t.eventTime)]], job.stateHistory),
      ),
      section('Inputs', run.inputDatasetVersions.length ? datasetLinks(datasets(run.inputDatasetVersions)) : h('p', { class: 'empty' }, 'None.'), h('h3', {}, 'Outputs'), run.outputDatasetVersions.length ? datasetLinks(datasets(run.outputDatasetVersions)) : h('p', { class: 'empty' }, 'None.')),
    ),
    section('Run facets', facetList(run.facets)),
  );
}
