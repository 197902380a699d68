// Lineage-style graphs on a canvas (vendored cytoscape), laid out by
// layout.js: datasets, jobs, columns, products and domains as nodes, data
// flowing left to right. Used by the lineage explorer and the catalog.
//
// Large graphs stay fluid: past a thousand nodes, edges are cytoscape's
// cheapest kind, the viewport is drawn from a texture while panning and
// zooming, and edges are hidden during those gestures; labels are never
// drawn when too small to read. What the first view shows is graph-view.js's
// to say, what the keys do graph-keys.js's.

import cytoscape from '../vendor/cytoscape/cytoscape.esm.min.mjs';
import { keyboard } from './graph-keys.js';
import { firstView, READABLE, rings } from './graph-view.js';
import { layered } from './layout.js';

// Static per-type styles (no per-element style functions: those are
// evaluated for every node and slow the first frame of large graphs).
const STYLE = [
  {
    selector: 'node',
    style: {
      shape: 'round-rectangle',
      width: 220,
      height: 30,
      'background-color': '#fff',
      'border-width': 2,
      'border-color': '#2457c5',
      label: 'data(label)',
      'font-size': 12,
      color: '#1d2330',
      'text-valign': 'center',
      'text-halign': 'center',
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'node[type="JOB"]', style: { shape: 'round-tag', 'background-color': '#f3f0fb', 'border-color': '#6b4fbb', height: 26 } },
  { selector: 'node[type="DATASET_FIELD"]', style: { 'background-color': '#eef8f8', 'border-color': '#0f7b7b', height: 26 } },
  { selector: 'node[type="DOMAIN"]', style: { 'background-color': '#fff6ec', 'border-color': '#9a4d00', height: 40, 'font-size': 14, 'font-weight': 600 } },
  { selector: 'node.root', style: { 'border-width': 4, 'background-color': '#fff4d6', 'font-weight': 700 } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#aab2c0',
      'target-arrow-color': '#aab2c0',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'straight',
    },
  },
  // Past a thousand nodes, edges are drawn as cytoscape's cheapest kind
  // (haystack: straight, no arrow head; the layout already says which way
  // data flows, left to right).
  { selector: 'edge.fast', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'target-arrow-shape': 'none' } },
  { selector: '.faded', style: { opacity: 0.18 } },
  { selector: 'node.path', style: { 'border-color': '#d97706', 'border-width': 4 } },
  { selector: 'edge.path', style: { 'line-color': '#d97706', 'target-arrow-color': '#d97706', width: 3, 'z-index': 10 } },
  { selector: 'node:selected', style: { 'background-color': '#ffe8a3', 'border-color': '#d97706', 'border-width': 4 } },
];

/** A short label: long names keep their informative end. */
export function shortLabel(text) {
  return text.length <= 26 ? text : `…${text.slice(-25)}`;
}

/** A lineage node's label on the graph: a column as `TABLE.field`, its
 * table's name cut to its last part (the panel shows the whole name). */
export function graphLabel(node) {
  if (node.type !== 'DATASET_FIELD') return shortLabel(node.name);
  return shortLabel(`${node.name.split(/[./]/).pop()}.${node.field}`);
}

/**
 * Draws a graph in `container`. `nodes` are `{id, label, type, name}` (the
 * label drawn, the whole name said to screen readers; `name` defaults to
 * the label), `edges` `{source, target}`; `roots`, where the graph starts,
 * are marked. `onSelect(id | null)` is called when a node is selected (by
 * a click, a tap or the keys) or the selection is cleared; `onOpen(id)`
 * when Enter is pressed on the selected node. Returns the cytoscape
 * instance; `container.dataset.ready` is set once the first frame is drawn
 * (the benchmark and the end-to-end checks wait for it).
 */
export function drawGraph(container, { nodes, edges, roots = [], onSelect, onOpen }) {
  // Marks and measures for the benchmark (benches/web_lineage.py) and devtools.
  performance.mark('graph-layout-start');
  const positions = layered(
    nodes.map((n) => n.id),
    edges.map((e) => [e.source, e.target]),
  );
  performance.measure('graph-layout', 'graph-layout-start');
  const rootSet = new Set(roots);
  const big = nodes.length > 1000;
  const cy = cytoscape({
    container,
    elements: {
      nodes: nodes.map((n) => ({
        data: { id: n.id, label: n.label, type: n.type, name: n.name ?? n.label },
        position: positions.get(n.id),
        classes: rootSet.has(n.id) ? 'root' : '',
      })),
      edges: edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target }, classes: big ? 'fast' : '' })),
    },
    style: STYLE,
    layout: { name: 'preset', fit: false },
    minZoom: 0.02,
    maxZoom: 3,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    pixelRatio: big ? 1 : 'auto',
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  const start = cy.nodes('.root');
  firstView(cy, start);
  // Zoomed out past reading, the start is a speck among specks: ring it.
  rings(cy, container, 'start', () => (cy.zoom() < READABLE ? start : cy.collection()));
  rings(cy, container, 'focus', () => cy.nodes(':selected'), 'select unselect');
  keyboard(cy, container, { start, onSelect, onOpen });
  delete container.dataset.ready;
  cy.one('render', () => {
    performance.mark('graph-ready');
    container.dataset.ready = 'true';
    container.dataset.nodes = String(nodes.length);
  });
  cy.on('tap', 'node', (event) => onSelect?.(event.target.id()));
  cy.on('tap', (event) => { if (event.target === cy) onSelect?.(null); });
  return cy;
}

/**
 * Highlights the shortest path between any root and `id` (downstream from
 * a root, else upstream), fading the rest; returns the path's node ids, or
 * `[]` (and no highlight) when `id` is null or unreachable.
 */
export function highlightPath(cy, roots, id) {
  cy.elements().removeClass('path faded');
  if (!id) return [];
  const path = shortest(cy, roots, id, 'outgoers') || shortest(cy, roots, id, 'incomers');
  if (!path) return [];
  cy.elements().addClass('faded');
  for (const element of path) element.removeClass('faded').addClass('path');
  return path.filter((e) => e.isNode()).map((e) => e.id());
}

function shortest(cy, roots, id, step) {
  const previous = new Map();
  const queue = [];
  for (const root of roots) {
    const node = cy.getElementById(root);
    if (node.nonempty()) { previous.set(root, null); queue.push(node); }
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (node.id() === id) {
      const path = [];
      let at = id;
      while (at !== null) {
        const [edge, from] = previous.get(at) || [null, null];
        path.unshift(cy.getElementById(at));
        if (edge) path.unshift(edge);
        at = from;
      }
      return path;
    }
    for (const edge of node.connectedEdges()) {
      const next = step === 'outgoers' ? edge.source().same(node) && edge.target() : edge.target().same(node) && edge.source();
      if (next && !previous.has(next.id())) {
        previous.set(next.id(), [edge, node.id()]);
        queue.push(next);
      }
    }
  }
  return null;
}
