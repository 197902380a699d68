// The keyboard on a drawn graph. Cytoscape draws the nodes on a canvas,
// where they cannot take the focus, so the graph's container takes it (Tab
// reaches it and leaves it like any control) and the keys move a selection
// over the nodes, the selection a click makes:
//
// - Right and Left follow the data: to the nearest node downstream or
//   upstream of the selected one (the nearest column first), else to the
//   nearest node in the next column; Up and Down go along the column, top
//   to bottom as laid out; Home goes back to the start. From no selection,
//   an arrow picks the start.
// - Enter opens the selected node (the page says what opening is); Escape
//   clears the selection.
// - Shift and an arrow pan; + and - zoom; 0 fits the whole graph.
//
// The selection is brought into view at a readable zoom, ringed while the
// graph has the keyboard's focus (graph-view.js), and said to screen readers.

import { h } from './dom.js';
import { fitAll, reveal } from './graph-view.js';

/** The keys, as the pages' labels and legends tell them. */
export const KEYS = 'arrows move between nodes, Home goes to the start, Enter opens one, Shift+arrows pan, + and − zoom, 0 fits, Esc clears';

const PAN = { ArrowLeft: [80, 0], ArrowRight: [-80, 0], ArrowUp: [0, 80], ArrowDown: [0, -80] };
const KIND = { DATASET: 'dataset', JOB: 'job', DATASET_FIELD: 'column', PRODUCT: 'data product', DOMAIN: 'domain' };

/**
 * Makes `container` (cytoscape's, drawn as `cy`) answer the keys. `start`
 * holds the nodes the graph starts from (maybe none); `onSelect(id | null)`
 * and `onOpen(id)` are the page's, as for `drawGraph`.
 */
export function keyboard(cy, container, { start, onSelect, onOpen }) {
  container.tabIndex = 0;
  container.setAttribute('role', 'application');
  container.setAttribute('aria-roledescription', 'graph');
  const said = h('p', { class: 'visually-hidden', role: 'status' });
  container.append(said);
  // Built at the first key, so that the first frame does not wait for it.
  let layout = null;
  const choose = (node) => {
    cy.$(':selected').unselect();
    node.select();
    reveal(cy, node.id());
    said.textContent = describe(node);
    onSelect?.(node.id());
  };
  container.onkeydown = (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const selected = cy.$('node:selected');
    if (PAN[event.key] && event.shiftKey) {
      cy.panBy({ x: PAN[event.key][0], y: PAN[event.key][1] });
    } else if (PAN[event.key] || event.key === 'Home') {
      layout ||= columns(cy);
      const next = selected.empty() || event.key === 'Home' ? first(start.nonempty() ? start : cy.nodes()) : beside(layout, selected[0], event.key);
      if (next) choose(next);
    } else if (event.key === 'Enter' && selected.nonempty()) {
      onOpen?.(selected.id());
    } else if (event.key === 'Escape') {
      cy.$(':selected').unselect();
      said.textContent = '';
      onSelect?.(null);
    } else if (event.key === '+' || event.key === '=') {
      cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: middle(cy) });
    } else if (event.key === '-') {
      cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: middle(cy) });
    } else if (event.key === '0') {
      fitAll(cy);
    } else {
      return;
    }
    event.preventDefault();
  };
}

/** The nodes by column, left to right, each top to bottom, as laid out;
 * and each node's `[column, row]` by id. */
function columns(cy) {
  const byX = new Map();
  for (const node of cy.nodes()) {
    const x = node.position('x');
    if (!byX.has(x)) byX.set(x, []);
    byX.get(x).push(node);
  }
  const list = [...byX].sort((a, b) => a[0] - b[0]).map(([, nodes]) => nodes.sort((a, b) => a.position('y') - b.position('y')));
  const at = new Map();
  list.forEach((column, c) => column.forEach((node, r) => at.set(node.id(), [c, r])));
  return { list, at };
}

/** The node an arrow key leads to from `node`, if any. */
function beside({ list, at }, node, key) {
  const [c, r] = at.get(node.id());
  if (key === 'ArrowUp') return list[c][r - 1];
  if (key === 'ArrowDown') return list[c][r + 1];
  const right = key === 'ArrowRight';
  // Columns away in the key's direction (back edges of a cycle point the other way).
  const away = (n) => (right ? 1 : -1) * (at.get(n.id())[0] - c);
  const joined = (right ? node.outgoers('node') : node.incomers('node')).filter((n) => away(n) > 0);
  const candidates = joined.nonempty() ? joined.toArray() : list[right ? c + 1 : c - 1] || [];
  const rise = (n) => Math.abs(n.position('y') - node.position('y'));
  return candidates.sort((a, b) => away(a) - away(b) || rise(a) - rise(b))[0];
}

/** The leftmost of `nodes`, the topmost of those. */
function first(nodes) {
  return nodes.toArray().sort((a, b) => a.position('x') - b.position('x') || a.position('y') - b.position('y'))[0];
}

/** What a screen reader says of a node the keys reach. */
function describe(node) {
  const kind = KIND[node.data('type')] || 'node';
  const start = node.hasClass('root') ? ', the start' : '';
  return `${node.data('name')}, ${kind}${start}: ${node.incomers('node').length} upstream, ${node.outgoers('node').length} downstream`;
}

function middle(cy) {
  return { x: cy.width() / 2, y: cy.height() / 2 };
}
