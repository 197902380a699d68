// The lineage explorer: `#/lineage?node=…&direction=…&depth=…&level=…&asOf=…`
// draws the lineage around a dataset, column or job (GraphQL `lineage`, from
// the lineage projection). A click shows a node's details and highlights its
// path from the start; Expand adds a node's own neighbours, Collapse hides
// what is reachable only through it; the time slider shows the lineage as
// of a past moment. Everything, expansions and the selection included, is
// kept in the URL, so a view can be shared.

import { get, graphql, seg } from '../api.js';
import { KEYS } from '../graph-keys.js';
import { reveal } from '../graph-view.js';
import { drawGraph, graphLabel, highlightPath } from '../graph.js';
import { breakable, errorBox, field, h, link, nodeLabel, remember, replace, route, section, stateBadge, time, title } from '../dom.js';

const LINEAGE = `query Lineage($nodeId: String!, $direction: LineageDirection!, $depth: Int!, $level: LineageLevel!, $asOf: String) {
  lineage(nodeId: $nodeId, direction: $direction, depth: $depth, level: $level, asOf: $asOf) {
    nodes { id type namespace name field }
    edges { origin destination }
  }
}`;

const DEFAULTS = { direction: 'both', depth: '3', level: 'dataset' };

/** Renders the explorer. */
export async function render(main, params) {
  const view = {
    node: params.get('node') || '',
    direction: params.get('direction') || DEFAULTS.direction,
    depth: params.get('depth') || DEFAULTS.depth,
    level: params.get('level') || (params.get('node')?.startsWith('datasetField:') ? 'column' : DEFAULTS.level),
    asOf: params.get('asOf') || '',
    expand: params.getAll('expand'),
    collapse: params.getAll('collapse'),
    select: params.get('select') || '',
  };
  title(view.node ? `Lineage of ${view.node}` : 'Lineage');
  // The graph is fetched while the controls are set up.
  const fetching = view.node ? walk(view).catch((err) => err) : null;
  const form = controls(view, await timeRange());
  const status = h('p', { class: 'graph-status', role: 'status' });
  const container = h('div', { class: 'graph', 'aria-label': `Lineage graph: ${KEYS}` });
  const panel = h('aside', { class: 'panel', 'aria-label': 'Node details' });
  replace(
    main,
    h('h1', {}, 'Lineage explorer'),
    form,
    view.node ? [status, legend(), h('div', { class: 'graph-layout' }, container, panel)] : help(),
  );
  if (!view.node) return null;

  const graph = await fetching;
  if (graph instanceof Error) {
    replace(status, errorBox(graph));
    replace(panel, h('p', { class: 'empty' }, 'No graph.'));
    return null;
  }
  const nodes = [...graph.nodes.values()];
  const roots = graph.roots;
  let cy = null;
  const select = (id) => {
    view.select = id || '';
    remember('lineage', view);
    const path = highlightPath(cy, roots, id);
    cy.$(':selected').unselect();
    if (id) cy.getElementById(id).select();
    picker.value = id || '';
    details(about, graph, id, path, view);
  };
  const focus = (id) => {
    select(id);
    if (id) reveal(cy, id);
  };
  // The picker stays put while the details below it change, so keyboard
  // focus stays on it.
  const picker = h(
    'select',
    { onchange: (e) => focus(e.target.value || null) },
    h('option', { value: '' }, `Select a node (${nodes.length})…`),
    nodes.slice().sort((a, b) => nodeLabel(a).localeCompare(nodeLabel(b))).map((n) => h('option', { value: n.id }, nodeLabel(n))),
  );
  const about = h('div', {});
  replace(panel, field('Go to node', picker), about);
  cy = drawGraph(container, {
    nodes: nodes.map((n) => ({ id: n.id, type: n.type, label: graphLabel(n), name: nodeLabel(n) })),
    edges: graph.edges,
    roots,
    onSelect: select,
    // Enter on a node: to its details, whose links open, expand or collapse it.
    onOpen: () => about.querySelector('h2')?.focus(),
  });
  status.textContent = `${nodes.length.toLocaleString('en')} nodes, ${graph.edges.length.toLocaleString('en')} edges${view.asOf ? `, as of ${view.asOf}` : ''}. Click a node, or reach it with the keys, for its details and its path from the start.`;
  select(view.select && graph.nodes.has(view.select) ? view.select : null);
  return () => cy.destroy();
}

/** The view's graph: the walk from its node, its expansions, its collapses. */
async function walk(view) {
  const graph = await fetchGraph(view.node, view);
  const expansions = await Promise.all(view.expand.map((id) => fetchGraph(id, { ...view, depth: '1' })));
  for (const more of expansions) merge(graph, more);
  for (const id of view.collapse) collapse(graph, id);
  return graph;
}

/** The lineage from `nodeId` as `{nodes: Map, edges: [{source, target}], roots}`. */
async function fetchGraph(nodeId, view) {
  const data = await graphql(LINEAGE, {
    nodeId,
    direction: view.direction.toUpperCase(),
    depth: Number(view.depth),
    level: view.level.toUpperCase(),
    asOf: view.asOf || null,
  });
  const nodes = new Map(data.lineage.nodes.map((n) => [n.id, n]));
  const edges = data.lineage.edges.map((e) => ({ source: e.origin, target: e.destination }));
  // The start: the node itself, or a dataset's columns at column level.
  const roots = nodes.has(nodeId) ? [nodeId] : [...nodes.values()].filter((n) => n.type === 'DATASET_FIELD' && nodeId === `dataset:${n.namespace}:${n.name}`).map((n) => n.id);
  return { nodes, edges, roots };
}

/** Adds another walk's nodes and edges. */
function merge(graph, more) {
  for (const [id, node] of more.nodes) graph.nodes.set(id, node);
  const seen = new Set(graph.edges.map((e) => `${e.source}\n${e.target}`));
  for (const e of more.edges) if (!seen.has(`${e.source}\n${e.target}`)) graph.edges.push(e);
}

/** Hides what the walk from the roots reaches only through `id` (keeping
 * `id` itself): following the edges downstream and, separately, upstream,
 * as the walk went, never through `id`. */
function collapse(graph, id) {
  if (!graph.nodes.has(id)) return;
  const keep = new Set([id]);
  for (const [from, to] of [['source', 'target'], ['target', 'source']]) {
    const next = new Map();
    for (const e of graph.edges) {
      if (!next.has(e[from])) next.set(e[from], []);
      next.get(e[from]).push(e[to]);
    }
    const seen = new Set(graph.roots);
    const queue = [...graph.roots];
    while (queue.length) {
      const v = queue.pop();
      keep.add(v);
      if (v === id) continue;
      for (const w of next.get(v) || []) if (!seen.has(w)) { seen.add(w); queue.push(w); }
    }
  }
  for (const v of [...graph.nodes.keys()]) if (!keep.has(v)) graph.nodes.delete(v);
  graph.edges = graph.edges.filter((e) => keep.has(e.source) && keep.has(e.target));
}

/** The first and last event times, for the time slider. */
async function timeRange() {
  const [first, last] = await Promise.all([
    get('/events/lineage', { limit: 1, sortDirection: 'asc' }),
    get('/events/lineage', { limit: 1, sortDirection: 'desc' }),
  ]);
  const at = (answer) => (answer.events[0] ? Date.parse(answer.events[0].eventTime) : null);
  return { min: at(first), max: at(last) };
}

function controls(view, range) {
  const node = h('input', { name: 'node', value: view.node, placeholder: 'dataset:NAMESPACE:NAME, datasetField:…:FIELD or job:NAMESPACE:NAME', list: 'lineage-nodes', autocomplete: 'off', required: true });
  const suggestions = h('datalist', { id: 'lineage-nodes' });
  let pending = 0;
  node.addEventListener('input', async () => {
    const q = node.value.trim();
    const ticket = ++pending;
    if (q.length < 2 || q.includes(':')) return;
    const answer = await get('/search', { q, limit: 15 }).catch(() => ({ results: [] }));
    if (ticket !== pending) return;
    replace(suggestions, answer.results.filter((r) => ['DATASET', 'DATASET_FIELD', 'JOB'].includes(r.type)).map((r) => h('option', { value: r.nodeId }, r.name)));
  });
  const direction = h('select', { name: 'direction' }, ['both', 'upstream', 'downstream'].map((d) => h('option', { value: d, selected: d === view.direction }, d)));
  const depth = h('input', { name: 'depth', type: 'number', min: 1, max: 100, value: view.depth });
  const level = h('select', { name: 'level' }, [['dataset', 'datasets and jobs'], ['column', 'columns']].map(([v, text]) => h('option', { value: v, selected: v === view.level }, text)));
  const slider = h('input', { type: 'range', name: 'asOfSlider', min: range.min ?? 0, max: range.max ?? 0, step: 60000, value: view.asOf ? Date.parse(view.asOf) : (range.max ?? 0), disabled: range.min === null });
  const shown = h('output', { for: slider.id }, view.asOf || 'now');
  let asOf = view.asOf;
  slider.addEventListener('input', () => {
    const at = Number(slider.value);
    asOf = at >= range.max ? '' : new Date(at).toISOString();
    shown.textContent = asOf || 'now';
  });
  const now = h('button', { type: 'button', class: 'secondary', onclick: () => { asOf = ''; slider.value = range.max; shown.textContent = 'now'; } }, 'Now');
  return h(
    'form',
    {
      class: 'controls card',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = route('lineage', { node: node.value.trim(), direction: direction.value, depth: depth.value, level: level.value, asOf });
      },
    },
    h('div', { class: 'field wide' }, h('label', { for: 'lineage-node' }, 'Start from'), Object.assign(node, { id: 'lineage-node' }), suggestions),
    field('Direction', direction),
    field('Depth', depth),
    field('Level', level),
    h('div', { class: 'field' }, h('label', { for: 'lineage-asof' }, 'As of'), h('div', {}, Object.assign(slider, { id: 'lineage-asof' }), ' ', shown, ' ', now)),
    h('button', { type: 'submit' }, 'Show lineage'),
  );
}

function legend() {
  return h(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    h('span', {}, h('i', { style: 'border:2px solid var(--dataset)' }), 'dataset'),
    h('span', {}, h('i', { style: 'border:2px solid var(--job);background:#f3f0fb' }), 'job'),
    h('span', {}, h('i', { style: 'border:2px solid var(--column);background:#eef8f8' }), 'column'),
    h('span', {}, h('i', { style: 'border:3px solid var(--dataset);background:#fff4d6' }), 'start'),
    h('span', {}, h('i', { style: 'background:#d97706' }), 'path to the selected node'),
    h('span', {}, `Keys on the graph: ${KEYS}`),
  );
}

function help() {
  return section(
    'Where to start',
    h('p', {}, 'Type a dataset, column or job (suggestions come as you type), or open one from search, a dataset page or the catalog.'),
  );
}

/** The side panel's details: a node's facts, its path, and what to do with it. */
async function details(panel, graph, id, path, view) {
  if (!id) {
    replace(panel, h('p', { class: 'empty' }, 'Click a node, reach one with the arrow keys on the graph, or pick one above, to see its details and highlight its path from the start.'));
    return;
  }
  const node = graph.nodes.get(id);
  const page = node.type === 'JOB' ? route('job', { ns: node.namespace, name: node.name }) : route('dataset', { ns: node.namespace, name: node.name, field: node.field });
  const here = node.type === 'DATASET_FIELD' ? { node: id, level: 'column' } : { node: id, level: view.level === 'column' && node.type === 'DATASET' ? 'column' : 'dataset' };
  const info = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  replace(
    panel,
    h('span', { class: `kind ${node.type}` }, node.type.replace('_', ' ').toLowerCase()),
    h('h2', { tabindex: '-1' }, breakable(nodeLabel(node))),
    h('dl', {}, h('dt', {}, 'Namespace'), h('dd', {}, breakable(node.namespace)), h('dt', {}, 'Node id'), h('dd', { class: 'mono' }, breakable(id))),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button', href: page }, 'Open page'),
      h('a', { class: 'button secondary', href: route('lineage', { ...view, ...here, expand: [], collapse: [], select: '' }) }, 'Lineage from here'),
      node.type !== 'JOB' ? h('a', { class: 'button secondary', href: route('impact', { node: id }) }, 'Impact') : null,
      h('a', { class: 'button secondary', href: route('lineage', { ...view, expand: [...view.expand, id], select: id }) }, 'Expand'),
      graph.roots.includes(id) ? null : h('a', { class: 'button secondary', href: route('lineage', { ...view, collapse: [...view.collapse, id], select: id }) }, 'Collapse'),
    ),
    path.length > 1 ? h('div', {}, h('h3', {}, `Path from the start (${path.length - 1} steps)`), h('ol', { class: 'path' }, path.map((p) => h('li', {}, breakable(nodeLabel(graph.nodes.get(p))))))) : null,
    info,
  );
  try {
    if (node.type === 'JOB') {
      const job = await get(`/namespaces/${seg(node.namespace)}/jobs/${seg(node.name)}`);
      replace(
        info,
        job.description ? h('p', {}, job.description) : null,
        h('dl', {}, h('dt', {}, 'Type'), h('dd', {}, job.type), h('dt', {}, 'Latest run'), h('dd', {}, job.latestRun ? [link('run', { id: job.latestRun.id }, stateBadge(job.latestRun.state)), ' ', time(job.latestRun.endedAt || job.latestRun.startedAt)] : '—'), h('dt', {}, 'Inputs'), h('dd', {}, job.inputs.length), h('dt', {}, 'Outputs'), h('dd', {}, job.outputs.length)),
      );
    } else {
      const ds = await get(`/namespaces/${seg(node.namespace)}/datasets/${seg(node.name)}`);
      const owners = ds.facets?.ownership?.owners?.map((o) => o.name) || [];
      replace(
        info,
        ds.description ? h('p', {}, ds.description) : null,
        h('dl', {}, h('dt', {}, 'Type'), h('dd', {}, ds.type), h('dt', {}, 'Columns'), h('dd', {}, ds.fields.length), h('dt', {}, 'Owners'), h('dd', {}, owners.join(', ') || '—'), h('dt', {}, 'Updated'), h('dd', {}, time(ds.updatedAt))),
      );
    }
  } catch (err) {
    replace(info, errorBox(err));
  }
}
