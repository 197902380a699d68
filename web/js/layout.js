// A layered (Sugiyama-style) layout for lineage graphs, in one pass and a
// few sweeps, so a graph of thousands of nodes is laid out in milliseconds:
//
// 1. cycles are broken by ignoring the edges a depth-first search finds
//    going back (a job that reads and writes the same table);
// 2. each node's rank (its column, left to right in the direction data
//    flows) is its longest path from a source, and a source is then pulled
//    next to its nearest consumer so that edges stay short;
// 3. the order within each column comes from barycentre sweeps (each node
//    moves to the mean position of its neighbours in the previous column),
//    alternately downstream and upstream, which removes most crossings;
// 4. vertical positions follow the neighbours too, kept at least `nodeGap`
//    apart and in the order found.
//
// Edges spanning several columns get no bend points: the renderer draws
// them straight, which stays readable for lineage's mostly adjacent ranks.

/**
 * Positions for `ids` (an array of node ids) joined by `edges` (an array
 * of `[from, to]` ids): a `Map` from id to `{x, y}`.
 */
export function layered(ids, edges, { rankGap = 300, nodeGap = 44, sweeps = 6 } = {}) {
  const n = ids.length;
  const index = new Map(ids.map((id, i) => [id, i]));
  const succ = Array.from({ length: n }, () => []);
  const pred = Array.from({ length: n }, () => []);
  for (const [from, to] of edges) {
    const a = index.get(from);
    const b = index.get(to);
    if (a === undefined || b === undefined || a === b) continue;
    succ[a].push(b);
    pred[b].push(a);
  }
  const forward = acyclic(n, succ);
  const rank = ranks(n, forward);
  const layers = [];
  for (let v = 0; v < n; v++) (layers[rank[v]] ||= []).push(v);
  const layerList = layers.filter(Boolean);
  order(layerList, succ, pred, sweeps, n);
  const y = place(layerList, succ, pred, nodeGap, n);
  const positions = new Map();
  layerList.forEach((layer, column) => {
    for (const v of layer) positions.set(ids[v], { x: column * rankGap, y: y[v] });
  });
  return positions;
}

/** The edges that remain once a DFS drops those closing a cycle, as successor lists. */
function acyclic(n, succ) {
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const out = Array.from({ length: n }, () => []);
  for (let root = 0; root < n; root++) {
    if (state[root]) continue;
    // An explicit stack: thousand-deep chains must not overflow the call stack.
    const stack = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, i] = top;
      if (i < succ[v].length) {
        top[1]++;
        const w = succ[v][i];
        if (state[w] === 1) continue; // a back edge: ignored
        out[v].push(w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  return out;
}

/** Longest-path ranks over an acyclic graph, with sources pulled right. */
function ranks(n, succ) {
  const indegree = new Int32Array(n);
  for (let v = 0; v < n; v++) for (const w of succ[v]) indegree[w]++;
  const queue = [];
  for (let v = 0; v < n; v++) if (indegree[v] === 0) queue.push(v);
  const rank = new Int32Array(n);
  const topo = [];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    topo.push(v);
    for (const w of succ[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 1);
      if (--indegree[w] === 0) queue.push(w);
    }
  }
  const hasPred = new Uint8Array(n);
  for (let v = 0; v < n; v++) for (const w of succ[v]) hasPred[w] = 1;
  for (let i = topo.length - 1; i >= 0; i--) {
    const v = topo[i];
    if (hasPred[v] || !succ[v].length) continue;
    let nearest = Infinity;
    for (const w of succ[v]) nearest = Math.min(nearest, rank[w]);
    rank[v] = nearest - 1;
  }
  return rank;
}

/** Barycentre sweeps: reorders each layer in place. */
function order(layers, succ, pred, sweeps, n) {
  const pos = new Float64Array(n);
  const number = () => {
    for (const layer of layers) layer.forEach((v, i) => { pos[v] = layer.length > 1 ? i / (layer.length - 1) : 0.5; });
  };
  number();
  for (let sweep = 0; sweep < sweeps; sweep++) {
    const down = sweep % 2 === 0;
    const neighbours = down ? pred : succ;
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of sequence) {
      const key = new Map();
      for (const v of layer) {
        let sum = 0;
        let count = 0;
        for (const w of neighbours[v]) { sum += pos[w]; count++; }
        key.set(v, count ? sum / count : pos[v]);
      }
      layer.sort((a, b) => key.get(a) - key.get(b));
      layer.forEach((v, i) => { pos[v] = layer.length > 1 ? i / (layer.length - 1) : 0.5; });
    }
  }
}

/** Vertical positions: towards the neighbours' mean, `gap` apart, in order. */
function place(layers, succ, pred, gap, n) {
  const y = new Float64Array(n);
  for (const layer of layers) layer.forEach((v, i) => { y[v] = (i - (layer.length - 1) / 2) * gap; });
  for (let pass = 0; pass < 4; pass++) {
    const sequence = pass % 2 === 0 ? layers : layers.slice().reverse();
    for (const layer of sequence) {
      const want = layer.map((v) => {
        let sum = 0;
        let count = 0;
        for (const w of pred[v]) { sum += y[w]; count++; }
        for (const w of succ[v]) { sum += y[w]; count++; }
        return count ? sum / count : y[v];
      });
      // Keep the order and the spacing, then centre the layer where its
      // nodes want to be on average.
      const placed = want.slice();
      for (let i = 1; i < placed.length; i++) placed[i] = Math.max(placed[i], placed[i - 1] + gap);
      const shift = (want.reduce((a, b) => a + b, 0) - placed.reduce((a, b) => a + b, 0)) / placed.length;
      layer.forEach((v, i) => { y[v] = placed[i] + shift; });
    }
  }
  return y;
}
