#!/usr/bin/env python3
"""End-to-end check: the web UI in headless Chromium or Firefox against a real meshgraph.

Usage: python tests/e2e/web_ui.py PATH/TO/meshgraph [chromium|firefox]

Starts the meshgraph binary with `serve --demo` (the example retail mesh) on
a free loopback port with a fresh data directory, then drives a headless
browser with a fresh profile and no network beyond the server: Debian's
Chromium (the default) through Playwright, or Debian's Firefox ESR through
WebDriver BiDi (`_browsers.py` says how and why). The same checks run in
both:

- every page loads (home, search, lineage, impact, dataset, job, run,
  catalog, product, domain, ontology, query, GraphiQL) with no console error,
  no uncaught exception and no request to any other host; its text wraps
  between words or at a name's separators, never inside a word, and no table
  is wider than its card;
- home shows the demo's counts and recent runs; search from the header finds
  a dataset and leads to its page;
- the lineage graph of a known dataset renders exactly the nodes
  `GET /api/v1/lineage` answers; picking a node shows its details and its
  path from the start (kept in the URL); Expand adds a node's own lineage
  and Collapse takes it away again; the column level and a past `asOf`
  render too;
- every graph starts with its start in view, no larger than full size, and
  whole when it fits at a readable zoom (else at a readable zoom, unless it
  has 300 nodes or more: then whole, its start ringed);
- from the keyboard alone, Tab reaches the lineage graph, the arrows move a
  ringed selection to the nodes downstream and upstream, Enter goes to the
  selected node's details and from there to its page; on a graph of 300
  nodes and more, the first arrow brings the start to a readable zoom;
- impact analysis lists the data products `GET /api/v1/impact` groups, and
  its CSV download holds every node;
- a dataset page shows its schema, product and facets; a job page its run
  history, leading to a run page with its state history;
- the catalog draws product-to-product and domain-to-domain graphs; the
  ontology browser shows a concept and the columns that carry it;
- a SPARQL query typed in the editor shows rows; the header links work from
  the keyboard.

A screenshot of each page is saved under `target/ui-screenshots/BROWSER/` in
the checkout. The browser and the server are always stopped. The closing
line is `web_ui` for Chromium and `web_ui_firefox` for Firefox. The last
check adds a run to the demo mesh (a job writing 320 tables), so it runs
after those that count what the demo holds.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from _browsers import BROWSERS, Browser
from _harness import CheckFailed, Server, check, check_stops_cleanly, main, ok, step

SCREENSHOTS = Path(__file__).resolve().parents[2] / "target" / "ui-screenshots"

DIM_CUSTOMER = "dataset:snowflake://acme-retail:ANALYTICS.CUSTOMER.DIM_CUSTOMER"
FCT_ORDERS = "dataset:snowflake://acme-retail:ANALYTICS.SALES.FCT_ORDERS"
CUSTOMERS = "dataset:mysql://crm-db:3306:crm.customers"
JOB_NS = "dbt-customer"
JOB = "analytics.customer.acme_customer.customer_consents"
PERSONAL_DATA = "https://meshgraph.dev/example/retail/glossary/PersonalData"
# The last control before the lineage graph: Tab from it reaches the graph.
SHOW_LINEAGE = "//form[contains(@class, 'controls')]//button[@type='submit']"
# The zoom from which a graph's labels are drawn (12 px labels, drawn from
# 7 px on), and the number of nodes from which a graph starts whole, whatever
# its zoom: web/js/graph-view.js.
READABLE = 0.6
LARGE = 300

# The drawn graph as cytoscape sees it (cytoscape keeps its instance on its
# container, as `_cyreg`): the zoom; how many nodes lie wholly in the canvas;
# whether the start and the selected node do; the zoom that fits the whole
# graph 30 px in; and whether visible rings are drawn over the start and
# the selection.
GRAPH_VIEW = """() => {
  const graph = document.querySelector('.graph[data-ready]');
  const cy = graph._cyreg.cy;
  const inside = (node) => {
    const box = node.renderedBoundingBox({ includeLabels: false });
    return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width() && box.y2 <= cy.height();
  };
  const origin = graph.getBoundingClientRect();
  const ringed = (kind, nodes) => {
    const rings = [...graph.querySelectorAll(`.graph-rings.${kind} i`)].filter((ring) => ring.checkVisibility()).map((ring) => ring.getBoundingClientRect());
    return nodes.nonempty() && nodes.toArray().every((node) => {
      const at = node.renderedPosition();
      const x = at.x + origin.left + graph.clientLeft;
      const y = at.y + origin.top + graph.clientTop;
      return rings.some((r) => Math.abs(r.left + r.width / 2 - x) < 2 && Math.abs(r.top + r.height / 2 - y) < 2);
    });
  };
  const whole = cy.elements().boundingBox({ includeLabels: false });
  const start = cy.nodes('.root');
  const selected = cy.nodes(':selected');
  return {
    zoom: cy.zoom(),
    nodes: cy.nodes().length,
    inside: cy.nodes().filter(inside).length,
    fit: Math.min((cy.width() - 60) / whole.w, (cy.height() - 60) / whole.h),
    startInside: start.toArray().every(inside),
    startRinged: ringed('start', start),
    selected: selected.nonempty() ? selected.id() : null,
    selectedInside: selected.nonempty() && inside(selected),
    selectedRinged: ringed('focus', selected),
    focused: document.activeElement === graph,
  };
}"""


def rest(server: Server, path: str, **params: Any) -> Any:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{server.base_url}/api/v1{path}?{query}", timeout=30) as resp:
        return json.loads(resp.read())


# Selectors that match by text are XPath; these spell the common ones.


def named(tag: str, text: str) -> str:
    """A `tag` element whose text is exactly `text`."""
    return f"//{tag}[normalize-space()={literal(text)}]"


def card(heading: str) -> str:
    """The section whose heading holds `heading`."""
    return f"//section[h2[contains(., {literal(heading)})]]"


def literal(text: str) -> str:
    check("'" not in text, f"no apostrophe in an XPath literal: {text}")
    return f"'{text}'"


def check_home(b: Browser) -> None:
    step("home: counts, recent runs, the search box")
    b.open("#/", "home", ".count")
    counts = {
        key: b.text(f'[data-count="{key}"] .n') for key in ("datasets", "jobs", "runs", "products", "domains", "concepts")
    }
    check(counts["products"] == "13" and counts["domains"] == "5", f"home counts {counts}, expected 13 products in 5 domains")
    check(int(counts["datasets"]) > 20 and int(counts["runs"]) > 100, f"home counts {counts}")
    runs = b.count(f"{card('Recent runs')}//tbody/tr")
    check(runs == 10, f"home lists {runs} recent runs, expected 10")
    ok(f"counts {counts}, {runs} recent runs")


def check_search(b: Browser) -> None:
    step("search from the header finds a dataset and opens its page")
    b.fill("#search-box", "FCT_ORDERS")
    b.press("Enter")
    b.settle("table a")
    b.clean("search")
    names = b.texts("tbody td:first-child")
    check("ANALYTICS.SALES.FCT_ORDERS" in names, f"search for FCT_ORDERS found {names}")
    b.click(f"//tbody{named('a', 'ANALYTICS.SALES.FCT_ORDERS')}")
    b.settle(named("h1", "ANALYTICS.SALES.FCT_ORDERS"))
    check(not b.errors, f"dataset from search: {b.errors}")
    ok(f"{len(names)} results, the dataset page opens")


def graph_nodes(b: Browser) -> set[str]:
    # The "Go to node" list holds every node of the drawn graph.
    return {v for v in b.read(".panel select option", "el.value") if v}


def wait_for_nodes(b: Browser, count: int) -> None:
    # A new view draws a new graph: wait for the one with this many nodes.
    drawn = "n => document.querySelector('.graph[data-ready]')?.dataset.nodes === n"
    try:
        b.wait_until(drawn, str(count), f"no graph of {count} nodes")
    except CheckFailed as err:
        raise CheckFailed(f"{err}: {b.attribute('.graph', 'data-nodes')} drawn") from None
    b.idle()


def first_view(b: Browser, name: str) -> dict[str, Any]:
    """Checks the first view of the graph drawn: the start in view, no zoom
    past full size, the whole graph when it fits at a readable zoom or is
    large, else a readable zoom."""
    view = b.call(GRAPH_VIEW)
    check(view["startInside"], f"{name}: the start is not in view: {view}")
    check(view["zoom"] <= 1.0 + 1e-6, f"{name}: zoomed to {view['zoom']:.2f}, past full size")
    if view["fit"] >= READABLE + 0.01 or view["nodes"] >= LARGE:
        cut = view["nodes"] - view["inside"]
        check(not cut, f"{name}: {cut} of {view['nodes']} nodes cut off, though the whole graph fits at zoom {view['fit']:.2f}")
    else:
        check(view["zoom"] >= READABLE - 1e-6, f"{name}: zoom {view['zoom']:.2f}, too small to read")
    return view


def selects(b: Browser, ids: set[str]) -> dict[str, Any]:
    """Waits until one of `ids` is the graph's selected node; the view then."""
    selected = "(ids) => ids.includes(document.querySelector('.graph')._cyreg.cy.nodes(':selected').id())"
    b.wait_until(selected, sorted(ids), f"none of {sorted(ids)} is selected")
    b.idle()
    return b.call(GRAPH_VIEW)


def check_lineage(b: Browser, server: Server) -> None:
    step("lineage: the graph of a known dataset has the nodes the REST API answers")
    b.open(f"#/lineage?node={urllib.parse.quote(DIM_CUSTOMER)}&direction=both&depth=3", "lineage", ".graph[data-ready]")
    first_view(b, "lineage")
    expected = {n["id"] for n in rest(server, "/lineage", nodeId=DIM_CUSTOMER, depth=3, direction="both")["graph"]}
    drawn = graph_nodes(b)
    rendered = int(b.attribute(".graph", "data-nodes") or 0)
    check(drawn == expected, f"lineage drew {sorted(drawn - expected)} more and {sorted(expected - drawn)} fewer than REST")
    check(rendered == len(expected), f"the canvas has {rendered} nodes, expected {len(expected)}")
    check(FCT_ORDERS in drawn and "job:dbt-customer:analytics.customer.acme_customer.dim_customer" in drawn, f"{drawn}")
    ok(f"{len(drawn)} nodes, as GET /api/v1/lineage")

    step("lineage: picking a node shows its details and highlights its path")
    b.select(".panel select", FCT_ORDERS)
    b.settle(f"//aside{named('h2', 'ANALYTICS.SALES.FCT_ORDERS')}")
    path = b.texts(".panel ol.path li")
    check(path[0] == "ANALYTICS.CUSTOMER.DIM_CUSTOMER" and path[-1] == "ANALYTICS.SALES.FCT_ORDERS", f"path {path}")
    check("select=" in b.url, f"the selection is not in the URL: {b.url}")
    b.wait("//aside//dd[contains(., 'team:sales')]")
    b.clean("lineage-selected")
    ok(f"path {' -> '.join(path)}")

    step("lineage: Expand adds a node's own lineage, Collapse takes away what only it leads to")
    b.open(f"#/lineage?node={urllib.parse.quote(DIM_CUSTOMER)}&direction=downstream&depth=1", "lineage-depth-1", ".graph[data-ready]")
    first_view(b, "lineage-depth-1")
    walks = [rest(server, "/lineage", nodeId=n, depth=1, direction="downstream")["graph"] for n in (DIM_CUSTOMER, FCT_ORDERS)]
    base, more = ({n["id"] for n in walk} for walk in walks)
    check(graph_nodes(b) == base and FCT_ORDERS in base, f"depth 1 drew {sorted(graph_nodes(b))}, expected {sorted(base)}")
    # Collapsing FCT_ORDERS keeps what the root still reaches without it.
    edges = {(e["origin"], e["destination"]) for walk in walks for n in walk for e in n["outEdges"]}
    kept, todo = {FCT_ORDERS, DIM_CUSTOMER}, [DIM_CUSTOMER]
    while todo:
        at = todo.pop()
        for origin, destination in edges:
            if origin == at and destination not in kept and at != FCT_ORDERS:
                kept.add(destination)
                todo.append(destination)
    check(kept < base | more, f"collapsing FCT_ORDERS would hide nothing: {sorted(kept)}")
    b.select(".panel select", FCT_ORDERS)
    b.click(f"//aside{named('a', 'Expand')}")
    wait_for_nodes(b, len(base | more))
    check(graph_nodes(b) == base | more, f"expanded: {sorted(graph_nodes(b) ^ (base | more))} differ")
    first_view(b, "lineage-expanded")
    b.clean("lineage-expanded")
    b.click(f"//aside{named('a', 'Collapse')}")
    wait_for_nodes(b, len(kept))
    check(graph_nodes(b) == kept, f"collapsed: {sorted(graph_nodes(b) ^ kept)} differ")
    check("expand=" in b.url and "collapse=" in b.url, f"expand and collapse are not in the URL: {b.url}")
    ok(f"{len(base)} nodes, {len(base | more)} expanded, {len(kept)} once FCT_ORDERS is collapsed")

    step("lineage: the shared URL of the selection reopens it; column level; as of a past time")
    shared = b.url
    b.goto(f"{server.base_url}/#/")
    b.settle(".count")
    b.goto(shared)
    b.settle(f"//aside{named('h2', 'ANALYTICS.SALES.FCT_ORDERS')}")
    b.open(f"#/lineage?node={urllib.parse.quote(DIM_CUSTOMER)}&level=column&direction=upstream", "lineage-columns", ".graph[data-ready]")
    columns = graph_nodes(b)
    check(columns and all(c.startswith("datasetField:") for c in columns), f"column level drew {sorted(columns)[:5]}")
    first_view(b, "lineage-columns")
    b.open(
        f"#/lineage?node={urllib.parse.quote(DIM_CUSTOMER)}&asOf=2025-03-04T00:00:00.000Z",
        "lineage-as-of",
        ".graph[data-ready]",
    )
    past = graph_nodes(b)
    expected_past = {
        n["id"]
        for n in rest(server, "/lineage", nodeId=DIM_CUSTOMER, depth=3, direction="both", asOf="2025-03-04T00:00:00Z")[
            "graph"
        ]
    }
    check(past == expected_past, f"asOf drew {len(past)} nodes, REST answers {len(expected_past)}")
    ok(f"{len(columns)} columns; {len(past)} nodes as of 2025-03-04")

    step("lineage: a graph of three nodes is shown whole, at full size at most")
    b.open(f"#/lineage?node={urllib.parse.quote(CUSTOMERS)}&direction=downstream&depth=1", "lineage-small", ".graph[data-ready]")
    view = first_view(b, "lineage-small")
    check(view["nodes"] == 3 and view["inside"] == 3, f"the graph of crm.customers' readers: {view}")
    ok(f"3 nodes in view at zoom {view['zoom']:.2f}")


def check_graph_keys(b: Browser, server: Server) -> None:
    step("lineage from the keyboard alone: Tab, arrows between nodes, Enter to a node's details and page")
    b.open(f"#/lineage?node={urllib.parse.quote(DIM_CUSTOMER)}&direction=downstream&depth=1", "lineage-keys", ".graph[data-ready]")
    walk = rest(server, "/lineage", nodeId=DIM_CUSTOMER, depth=1, direction="downstream")["graph"]
    readers = {e["destination"] for n in walk if n["id"] == DIM_CUSTOMER for e in n["outEdges"]}
    names = {n["id"]: n["data"]["name"] for n in walk}
    b.focus(SHOW_LINEAGE)
    b.press("Tab")
    check(b.call(GRAPH_VIEW)["focused"], "Tab from the lineage form does not reach the graph")
    b.press("ArrowRight")
    view = selects(b, {DIM_CUSTOMER})
    check(view["selectedRinged"], f"the first arrow selects the start, with no focus ring: {view}")
    b.wait(f"//aside{named('h2', 'ANALYTICS.CUSTOMER.DIM_CUSTOMER')}")
    b.press("ArrowRight")
    view = selects(b, readers)
    reader = view["selected"]
    check(view["selectedInside"] and view["selectedRinged"], f"the arrow's node is out of view or not ringed: {view}")
    b.press("ArrowLeft")
    selects(b, {DIM_CUSTOMER})
    b.press("ArrowRight")
    selects(b, {reader})
    b.clean("lineage-keys-selected")
    b.press("Enter")
    name = names[reader]
    b.wait_until("(name) => document.activeElement.matches('aside h2') && document.activeElement.textContent === name", name, "Enter does not reach the node's details")
    b.press("Tab")
    b.press("Enter")
    b.settle(named("h1", name))
    b.clean("job-from-keys")
    ok(f"DIM_CUSTOMER, then its reader {name}, back and forth; Enter and Tab, Enter open its page")


def fan_out(server: Server, tables: int) -> str:
    """Posts a run of a job that reads one table and writes `tables` others;
    answers the read table's node id."""
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2025-03-08T00:00:00Z",
        "run": {"runId": "0195f000-0000-7000-8000-000000000001"},
        "job": {"namespace": "web-ui-check", "name": "fan_out"},
        "inputs": [{"namespace": "web-ui-check", "name": "hub"}],
        "outputs": [{"namespace": "web-ui-check", "name": f"leaf_{i:03}"} for i in range(tables)],
        "producer": "https://meshgraph.dev/tests/e2e/web_ui.py",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    }
    request = urllib.request.Request(
        f"{server.base_url}/api/v1/lineage",
        data=json.dumps(event).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        check(resp.status == 201, f"POST /api/v1/lineage answered {resp.status}")
    return "dataset:web-ui-check:hub"


def check_large_graph(b: Browser, server: Server) -> None:
    step(f"lineage of {LARGE} nodes and more: whole at first, the start ringed; an arrow brings the start close")
    hub = fan_out(server, 320)
    b.open(f"#/lineage?node={urllib.parse.quote(hub)}&direction=downstream&depth=1", "lineage-large", ".graph[data-ready]")
    view = first_view(b, "lineage-large")
    check(view["nodes"] == 322, f"the fan-out drew {view['nodes']} nodes, expected 322")
    check(view["startRinged"], f"the start of a large graph is not ringed: {view}")
    b.focus(SHOW_LINEAGE)
    b.press("Tab")
    b.press("ArrowRight")
    view = selects(b, {hub})
    check(view["selectedInside"] and view["zoom"] >= READABLE - 1e-6, f"the first arrow leaves the start small or out of view: {view}")
    b.clean("lineage-large-start")
    ok(f"322 nodes at zoom {b.call(GRAPH_VIEW)['zoom']:.2f} once the start is selected")


def check_impact(b: Browser, server: Server) -> None:
    step("impact: the products the REST API groups, and the CSV download")
    products = f"{card('Data products')}//tbody/tr"
    b.open(f"#/impact?node={urllib.parse.quote(CUSTOMERS)}", "impact", products)
    report = rest(server, "/impact", nodeId=CUSTOMERS, limit=1)
    expected = sorted(p["title"] for p in report["groups"]["products"])
    listed = sorted(b.texts(f"{products}/td[1]"))
    check(listed == expected, f"impact lists products {listed}, expected {expected}")
    check("Customer 360" in listed and "Email Audience" in listed, f"{listed}")
    lines = b.download("//button[contains(., 'Download CSV')]").strip().splitlines()
    check(len(lines) == report["counts"]["reached"] + 1, f"the CSV has {len(lines)} lines, expected {report['counts']['reached']} and a header")
    check(not b.errors, f"impact CSV: {b.errors}")
    ok(f"{len(listed)} products; CSV of {len(lines) - 1} nodes")


def check_entities(b: Browser) -> None:
    step("dataset, job and run pages")
    b.open(
        "#/dataset?ns=snowflake%3A%2F%2Facme-retail&name=ANALYTICS.CUSTOMER.DIM_CUSTOMER",
        "dataset",
        card("Schema"),
    )
    rows = b.count(f"{card('Schema')}//tbody/tr")
    check(rows == 21, f"DIM_CUSTOMER shows {rows} columns, expected 21")
    check(b.count(f"//a{named('span', 'Customer 360')}[@class='chip']") == 1, "DIM_CUSTOMER does not show its product Customer 360")
    check("schema" in b.texts(".facets summary"), f"facets {b.texts('.facets summary')}")
    derived = b.text("tbody tr:has(#field-email)")
    check("RAW.CRM.CUSTOMERS.email" in derived, f"email's column lineage: {derived}")
    wrote = b.count(f"{card('Runs that wrote it')}//tbody/tr")
    check(wrote >= 5, f"DIM_CUSTOMER shows {wrote} runs that wrote it")
    b.open(f"#/job?ns={JOB_NS}&name={JOB}", "job", card("Run history"))
    runs = b.count(f"{card('Run history')}//tbody/tr")
    check(runs >= 5, f"the job shows {runs} runs")
    b.click(f"{card('Run history')}//tbody/tr[1]//a")
    b.settle(named("h3", "State history"))
    b.clean("run")
    states = b.texts(f"{named('h3', 'State history')}/following::table[1]/tbody/tr/td[1]")
    check(states[:1] == ["START"], f"run state history {states}")
    ok(f"21 columns; {runs} runs; state history {states}")


def check_catalog(b: Browser) -> None:
    step("catalog: products by domain, product and domain graphs, a product page")
    b.open("#/catalog", "catalog", ".graph[data-ready]")
    first_view(b, "catalog")
    cards = b.count(".product")
    check(cards == 13, f"the catalog shows {cards} products, expected 13")
    check(b.attribute(".graph", "data-nodes") == "13", "the product graph has not 13 nodes")
    b.click(named("a", "Domain to domain"))
    b.settle(".graph[data-ready][data-nodes='5']")
    b.clean("catalog-domains")
    b.click("//div[@class='product']/a[contains(., 'Customer 360')]")
    b.settle(named("h1", "Customer 360"))
    b.clean("product")
    downstream = b.texts(f"{card('Upstream products')}/ul[last()]/li")
    check(downstream, "Customer 360 shows no downstream products")
    b.click(f"//dd{named('a', 'Customer')}")
    b.settle(named("h1", "Customer"))
    b.clean("domain")
    ok(f"13 products, 5 domains; Customer 360 feeds {downstream}")


def check_ontology(b: Browser) -> None:
    step("ontology: a concept with its hierarchy and the columns that carry it")
    b.open(f"#/ontology?concept={urllib.parse.quote(PERSONAL_DATA, safe='')}", "ontology", named("h2", "personal data"))
    check(b.text(".tree a[aria-current='true']") == "personal data", "the tree does not mark the concept")
    columns = b.texts("//h3[starts-with(., 'Columns')]/following::table[1]/tbody/tr/td[1]")
    check(any(c.endswith("DIM_CUSTOMER.email") for c in columns), f"PersonalData columns {columns[:5]}")
    ok(f"{len(columns)} columns carry personal data")


def check_query(b: Browser) -> None:
    step("query: a SPARQL query shows rows; GraphiQL loads from the binary")
    b.open("#/query", "query", "textarea.sparql")
    b.fill("textarea.sparql", "PREFIX mg: <https://meshgraph.dev/ns#>\nSELECT ?dataset ?name WHERE { ?dataset a mg:Dataset ; mg:name ?name } ORDER BY ?name")
    b.click("//button[starts-with(., 'Run')]")
    b.settle("#sparql-results tbody tr")
    rows = b.count("#sparql-results tbody tr")
    check(rows == 30, f"the SPARQL query shows {rows} rows, expected the demo's 30 datasets")
    b.clean("query-results")
    b.goto(f"{b.base_url}/graphql")
    b.settle(".graphiql-container")
    b.clean("graphiql")
    ok(f"{rows} rows; GraphiQL up")


def check_keyboard(b: Browser) -> None:
    step("keyboard: the skip link, then the header's links")
    b.open("#/", "home-keyboard", ".count")
    b.focus(".skip")
    box = b.box(".skip")
    check(box is not None and box["x"] >= 0, f"the skip link stays off screen when focused: {box}")
    for _ in range(4):  # brand, Home, Lineage, Impact
        b.press("Tab")
    active = b.call("() => document.activeElement.textContent")
    check(active == "Impact", f"four Tabs after the skip link reach {active!r}, not the Impact link")
    b.press("Enter")
    b.settle(named("h1", "Impact analysis"))
    ok("Tab and Enter reach the impact page")


def checks(server: Server, browser: type[Browser]) -> None:
    step("start meshgraph serve --demo and wait for GET /health")
    server.start()
    ok(server.base_url)
    screenshots = SCREENSHOTS / browser.name
    screenshots.mkdir(parents=True, exist_ok=True)
    with browser.launch(server.base_url, screenshots) as b:
        step(f"{b.version}: pages against the demo mesh")
        check_home(b)
        check_search(b)
        check_lineage(b, server)
        check_impact(b, server)
        check_entities(b)
        check_catalog(b)
        check_ontology(b)
        check_query(b)
        check_keyboard(b)
        check_graph_keys(b, server)
        check_large_graph(b, server)
        ok(f"screenshots in {screenshots}")
    check_stops_cleanly(server)


if __name__ == "__main__":
    usage = __doc__.strip().splitlines()[2]
    args = sys.argv[1:]
    browser = BROWSERS.get(args[1] if len(args) == 2 else "chromium")
    if browser is None or len(args) not in (1, 2):
        print(usage, file=sys.stderr)
        sys.exit(2)
    title = f"web UI in headless {browser.name.capitalize()}"
    sys.exit(main(f"web_ui_{browser.name}", title, ["--demo"], lambda server: checks(server, browser), usage, args[:1]))
