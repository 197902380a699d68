// What a drawn graph shows of itself: its first view, bringing a node into
// view, and rings over the canvas around nodes (the start when it is drawn
// too small to see, the selection while the keys move it). Used by graph.js,
// graph-keys.js and the lineage explorer.

import { h } from './dom.js';

/** Below this zoom a graph is a picture of its shape: its labels (12 px,
 * drawn from 7 px on, `min-zoomed-font-size` in graph.js) are not drawn. */
export const READABLE = 0.6;
// A small graph is not blown up past the size its style was drawn for.
const FULL_SIZE = 1;
// Pixels kept clear around what is fitted or brought into view.
const PADDING = 30;
// From this many nodes, a graph that does not fit readably starts as its whole shape.
const LARGE = 300;
// The smallest ring, in pixels: a node drawn smaller is ringed this wide.
const RING = 20;

/** Fits the whole graph, `PADDING` in, no larger than full size. */
export function fitAll(cy) {
  cy.fit(undefined, PADDING);
  if (cy.zoom() > FULL_SIZE) {
    cy.zoom(FULL_SIZE);
    cy.center();
  }
}

/**
 * The first view: the whole graph when it fits at a readable zoom. One that
 * does not starts at a readable zoom while it is small: the start in the
 * middle, moved towards the rest of the graph when the start is at its
 * edge (no side of the view is left blank while the other cuts nodes off).
 * A large one (hundreds of nodes and more) starts as its whole shape, which
 * says where its parts are better than a window onto a few of them, and is
 * read by zooming in or by moving the selection with the keys. Either way
 * `start` (the nodes marked as such, maybe none) is in view.
 */
export function firstView(cy, start) {
  fitAll(cy);
  if (cy.zoom() >= READABLE || cy.nodes().length >= LARGE) return;
  cy.zoom(READABLE);
  cy.center(start.nonempty() ? start : cy.nodes());
  const box = cy.elements().renderedBoundingBox({ includeLabels: false });
  cy.panBy({ x: settle(box.x1, box.x2, cy.width()), y: settle(box.y1, box.y2, cy.height()) });
}

/** How far to move what spans `low` to `high` in a view `size` long: to
 * the middle if it fits, else the least that leaves no blank past
 * `PADDING` at one end while it goes on past the other. */
function settle(low, high, size) {
  if (high - low <= size - 2 * PADDING) return (size - low - high) / 2;
  if (low > PADDING) return PADDING - low;
  if (high < size - PADDING) return size - PADDING - high;
  return 0;
}

/** Brings node `id` into view, zooming in to a readable zoom if need be. */
export function reveal(cy, id) {
  const node = cy.getElementById(id);
  if (node.empty()) return;
  if (cy.zoom() < READABLE) {
    cy.zoom(READABLE);
    cy.center(node);
  } else {
    bringIntoView(cy, node, 2 * PADDING);
  }
}

/** Pans the least that brings `eles` into view, `margin` pixels in (their
 * top and left first, when they are larger than the view). */
function bringIntoView(cy, eles, margin) {
  if (eles.empty()) return;
  const box = eles.renderedBoundingBox({ includeLabels: false });
  cy.panBy({ x: shift(box.x1, box.x2, cy.width(), margin), y: shift(box.y1, box.y2, cy.height(), margin) });
}

function shift(low, high, size, margin) {
  if (low < margin) return margin - low;
  if (high > size - margin) return Math.max(size - margin - high, margin - low);
  return 0;
}

/**
 * Rings over the canvas (`.graph-rings.{kind}` in app.css) around the nodes
 * `which()` answers, at least `RING` pixels across, moved with the view and
 * on `events`. The canvas draws a node too small to see when zoomed out,
 * and cannot take the page's focus style; a ring does both.
 */
export function rings(cy, container, kind, which, events = '') {
  const layer = h('div', { class: `graph-rings ${kind}`, 'aria-hidden': 'true' });
  container.append(layer);
  const place = () => {
    const nodes = which();
    while (layer.childElementCount < nodes.length) layer.append(h('i'));
    [...layer.children].forEach((ring, i) => {
      ring.hidden = i >= nodes.length;
      if (ring.hidden) return;
      const box = nodes[i].renderedBoundingBox({ includeLabels: false });
      const width = Math.max(box.w, RING);
      const height = Math.max(box.h, RING);
      ring.style.left = `${(box.x1 + box.x2 - width) / 2}px`;
      ring.style.top = `${(box.y1 + box.y2 - height) / 2}px`;
      ring.style.width = `${width}px`;
      ring.style.height = `${height}px`;
    });
  };
  cy.on(`viewport resize ${events}`, place);
  place();
}
