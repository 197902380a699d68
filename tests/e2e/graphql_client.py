#!/usr/bin/env python3
"""End-to-end check: the real `gql` GraphQL client against a real meshgraph.

Usage: python tests/e2e/graphql_client.py PATH/TO/meshgraph

Starts the meshgraph binary with `serve --demo` (the example retail mesh:
ontology, data products in five domains, lineage) on a free loopback port with
a fresh data directory, then talks to `POST /graphql` with `gql` and its
`requests` transport:

- the client builds its schema by introspection, and validates queries
  locally against it (an unknown field raises before anything is sent);
- real queries (namespaces and datasets paged with `first`/`after`, a dataset,
  a job with its runs, lineage, impact, data products, domains, a concept,
  search), each answer checked against the REST API (plain urllib) for the
  same data;
- a query over the depth or complexity limit makes `gql` raise
  `TransportQueryError` with `extensions.code == "query_too_complex"`;
- `GET /graphql` is GraphiQL's HTML page, and `GET /graphql/sdl` is SDL that
  graphql-core's `build_schema` parses into the schema introspection gave.

The server is always stopped (SIGTERM, then SIGKILL after a timeout), even
when a check fails. Exit status 0 means every check passed; on failure the
failed check and the tail of the server log are printed.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport
from graphql import GraphQLError, GraphQLNonNull, build_schema, print_schema
from graphql.utilities import lexicographic_sort_schema
from _harness import CheckFailed, Server, check, check_stops_cleanly, main, ok, step

HTTP_TIMEOUT_S = 30.0

CUSTOMERS = "dataset:mysql://crm-db:3306:crm.customers"
SNOWFLAKE = "snowflake://acme-retail"
DATASET = "ANALYTICS.CUSTOMER.DIM_CUSTOMER"
JOB_NAMESPACE = "dbt-customer"
JOB = "analytics.customer.acme_customer.customer_consents"
PERSONAL_DATA = "https://meshgraph.dev/example/retail/glossary/PersonalData"
SEARCH_TEXT = "orders"


# --------------------------------------------------------------------------
# Plain HTTP (urllib): the REST twins of the GraphQL answers
# --------------------------------------------------------------------------


def http(method: str, url: str) -> tuple[int, str, bytes]:
    """Sends a request; returns (status, content type, raw body)."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def rest(server: Server, path: str, **params: Any) -> Any:
    query = urllib.parse.urlencode(params)
    url = f"{server.base_url}/api/v1{path}" + (f"?{query}" if query else "")
    status, _type, raw = http("GET", url)
    check(status == 200, f"GET {url} answered {status}, expected 200: {raw[:600]!r}")
    return json.loads(raw)


def short(value: Any, limit: int = 600) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


# --------------------------------------------------------------------------
# The GraphQL client
# --------------------------------------------------------------------------


class CountingTransport(RequestsHTTPTransport):
    """`gql`'s requests transport, counting the requests it sends."""

    sent = 0

    def execute(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        CountingTransport.sent += 1
        return super().execute(*args, **kwargs)


def make_client(server: Server) -> Client:
    transport = CountingTransport(url=server.url("/graphql"), timeout=int(HTTP_TIMEOUT_S), retries=0)
    return Client(transport=transport, fetch_schema_from_transport=True)


def run(session: Any, query: str, **variables: Any) -> dict[str, Any]:
    """Executes one query; a `TransportQueryError` (errors in the answer) is a failed check."""
    request = GraphQLRequest(query, variable_values=variables or None)
    try:
        return session.execute(request)
    except TransportQueryError as err:
        raise CheckFailed(f"the server answered errors {short(err.errors)} to {short(query)} with {variables}")


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

EXPECTED_TYPES = [
    "Query",
    "Namespace",
    "Dataset",
    "Field",
    "Job",
    "Run",
    "RunDataset",
    "LineageGraph",
    "ImpactResult",
    "DataProduct",
    "Domain",
    "Concept",
    "ConceptDetail",
    "SearchResults",
    "PageInfo",
    "DateTime",
    "JSON",
]


def check_introspection(client: Client, session: Any) -> None:
    step("introspection: fetch_schema_from_transport=True builds the client schema")
    schema = client.schema
    check(schema is not None, "the client has no schema after connecting")
    missing = [name for name in EXPECTED_TYPES if schema.get_type(name) is None]
    check(not missing, f"the introspected schema lacks the types {missing}")
    ok(f"{len(schema.type_map)} types, among them {', '.join(EXPECTED_TYPES[1:])}")

    query = schema.query_type
    check(query is not None and query.name == "Query", f"the query type is {query}")
    expected_fields = {
        "namespaces": "NamespaceConnection!",
        "dataset": "Dataset",
        "job": "Job",
        "run": "Run",
        "lineage": "LineageGraph!",
        "impact": "ImpactResult!",
        "dataProducts": "[DataProduct!]!",
        "domain": "Domain",
        "concept": "ConceptDetail",
        "search": "SearchResults!",
    }
    got = {name: str(query.fields[name].type) for name in expected_fields if name in query.fields}
    check(got == expected_fields, f"Query fields are typed {got}, expected {expected_fields}")
    impact_args = sorted(query.fields["impact"].args)
    check(
        {"nodeId", "direction", "depth", "level", "filters", "first", "after"} <= set(impact_args),
        f"impact takes {impact_args}",
    )
    check(isinstance(query.fields["impact"].args["nodeId"].type, GraphQLNonNull), "impact's nodeId is optional")
    ok("Query.impact: ImpactResult!, Query.concept: ConceptDetail, ... with their arguments")

    step("local validation: an unknown field raises before anything is sent")
    before = CountingTransport.sent
    try:
        session.execute(gql('{ dataset(namespace: "x", name: "y") { name noSuchField } }'))
    except GraphQLError as err:
        check("noSuchField" in str(err), f"the validation error does not name the field: {err}")
        check(
            CountingTransport.sent == before,
            f"the transport sent {CountingTransport.sent - before} request(s) for an invalid query",
        )
        ok(f"GraphQLError before sending: {err.message}")
    else:
        raise CheckFailed("an unknown field was not refused by local validation")
    before = CountingTransport.sent
    try:
        session.execute(gql('{ impact(nodeId: "x", direction: SIDEWAYS) { nodeId } }'))
    except GraphQLError as err:
        check(CountingTransport.sent == before, "the transport sent a query with a bad enum value")
        ok(f"a bad enum value too: {err.message}")
    else:
        raise CheckFailed("a bad enum value was not refused by local validation")


NAMESPACES = """
query Namespaces($first: Int, $after: String) {
  namespaces(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { name createdAt updatedAt datasets(first: 1) { totalCount } jobs(first: 1) { totalCount } } }
  }
}
"""

DATASETS = """
query Datasets($namespace: String!, $first: Int, $after: String) {
  datasets(namespace: $namespace, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { namespace name type }
  }
}
"""


def page_through(session: Any, query: str, field: str, first: int, **variables: Any) -> tuple[list[Any], int, int]:
    """Pages a connection with `first`/`after` until `hasNextPage` is false;
    returns (items, totalCount, pages)."""
    items: list[Any] = []
    after: str | None = None
    total: int | None = None
    pages = 0
    while True:
        answer = run(session, query, first=first, after=after, **variables)[field]
        pages += 1
        check(pages <= 100, f"{field}: still more pages after 100")
        page_total = answer["totalCount"]
        check(total is None or page_total == total, f"{field}: totalCount changed from {total} to {page_total}")
        total = page_total
        page = answer.get("nodes") if "nodes" in answer else [e["node"] for e in answer["edges"]]
        check(len(page) <= first, f"{field}: a page of {len(page)} items for first: {first}")
        items.extend(page)
        info = answer["pageInfo"]
        if not info["hasNextPage"]:
            break
        check(len(page) == first, f"{field}: a short page ({len(page)} of {first}) says hasNextPage")
        check(bool(info["endCursor"]), f"{field}: hasNextPage without an endCursor: {info}")
        after = info["endCursor"]
    assert total is not None
    return items, total, pages


def check_namespaces_and_datasets(session: Any, server: Server) -> None:
    step("namespaces (paged by 6) against GET /api/v1/namespaces")
    expected = rest(server, "/namespaces")["namespaces"]
    nodes, total, pages = page_through(session, NAMESPACES, "namespaces", 6)
    names = [n["name"] for n in nodes]
    check(names == [n["name"] for n in expected], f"namespaces {names}, REST {[n['name'] for n in expected]}")
    check(total == len(expected), f"namespaces totalCount {total}, REST lists {len(expected)}")
    for node, rest_ns in zip(nodes, expected):
        check(
            (node["createdAt"], node["updatedAt"]) == (rest_ns["createdAt"], rest_ns["updatedAt"]),
            f"namespace {node['name']}: times {node['createdAt']}/{node['updatedAt']}, "
            f"REST {rest_ns['createdAt']}/{rest_ns['updatedAt']}",
        )
    ok(f"{total} namespaces in {pages} pages, names and times as REST")

    step("each namespace's dataset and job counts against REST")
    for node in nodes:
        ns = node["name"]
        datasets = rest(server, f"/namespaces/{quote(ns)}/datasets")
        jobs = rest(server, f"/namespaces/{quote(ns)}/jobs")
        check(
            node["datasets"]["totalCount"] == datasets["totalCount"] == len(datasets["datasets"]),
            f"{ns}: datasets totalCount {node['datasets']['totalCount']}, REST {datasets['totalCount']}",
        )
        check(
            node["jobs"]["totalCount"] == jobs["totalCount"] == len(jobs["jobs"]),
            f"{ns}: jobs totalCount {node['jobs']['totalCount']}, REST {jobs['totalCount']}",
        )
    ok(f"dataset and job totals of {len(nodes)} namespaces match")

    step(f"datasets(namespace: {SNOWFLAKE!r}) paged by 4 through pageInfo.endCursor")
    expected_ds = rest(server, f"/namespaces/{quote(SNOWFLAKE)}/datasets")
    items, total, pages = page_through(session, DATASETS, "datasets", 4, namespace=SNOWFLAKE)
    got = [(d["namespace"], d["name"], d["type"]) for d in items]
    want = [(d["namespace"], d["name"], d["type"]) for d in expected_ds["datasets"]]
    check(got == want, f"paged datasets {got}, REST {want}")
    check(
        total == expected_ds["totalCount"] == len(items),
        f"totalCount {total}, REST {expected_ds['totalCount']}, paged {len(items)}",
    )
    check(pages == -(-total // 4), f"{total} datasets came in {pages} pages of 4")
    check(len(set(got)) == len(got), "a dataset came twice while paging")
    ok(f"{total} datasets in {pages} pages, in REST's order, no repeats")

    # The cursor past the end: an empty page, no next page.
    first_page = run(session, DATASETS, namespace=SNOWFLAKE, first=total)["datasets"]
    check(not first_page["pageInfo"]["hasNextPage"], f"a page of all {total} says hasNextPage")
    after_end = run(session, DATASETS, namespace=SNOWFLAKE, first=5, after=first_page["pageInfo"]["endCursor"])
    check(after_end["datasets"]["nodes"] == [], f"after the last cursor: {short(after_end)}")
    check(not after_end["datasets"]["pageInfo"]["hasNextPage"], "after the last cursor: hasNextPage")
    ok("after the last endCursor: an empty page without hasNextPage")


DATASET_QUERY = """
query Dataset($namespace: String!, $name: String!) {
  dataset(namespace: $namespace, name: $name) {
    namespace name type sourceName description tags currentVersion
    createdAt updatedAt lastModifiedAt lastLifecycleState
    owners { name type }
    fields { name type description tags fields { name type fields { name type fields { name } } } }
    facets {
      raw(names: ["ownership", "schema"])
      schema { fields { name type description fields { name type description fields { name } } } }
      ownership { owners { name type } }
    }
    versions(first: 5) { totalCount nodes { id createdAt run { id } fields { name type } } }
  }
  missing: dataset(namespace: $namespace, name: "NO.SUCH.TABLE") { name }
}
"""


def rest_fields(fields: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(f["name"], f.get("type"), rest_fields(f.get("fields") or [])) for f in fields]


def gql_fields(fields: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(f["name"], f.get("type"), gql_fields(f.get("fields") or [])) for f in fields]


def check_dataset(session: Any, server: Server) -> None:
    step(f"dataset({SNOWFLAKE}, {DATASET}) with nested fields and owners against REST")
    expected = rest(server, f"/namespaces/{quote(SNOWFLAKE)}/datasets/{quote(DATASET)}")
    answer = run(session, DATASET_QUERY, namespace=SNOWFLAKE, name=DATASET)
    check(answer["missing"] is None, f"an unknown dataset is {answer['missing']}, expected null")
    d = answer["dataset"]
    check(d is not None, "the dataset is null")
    for key in (
        "namespace",
        "name",
        "type",
        "sourceName",
        "description",
        "tags",
        "currentVersion",
        "createdAt",
        "updatedAt",
        "lastModifiedAt",
        "lastLifecycleState",
    ):
        check(d[key] == expected[key], f"dataset {key} is {d[key]!r}, REST {expected[key]!r}")
    ok(f"{len(d) - 3} scalar fields as REST (type {d['type']}, tags {d['tags']})")

    check(gql_fields(d["fields"]) == rest_fields(expected["fields"]), "fields differ from REST's")
    schema_fields = expected["facets"]["schema"]["fields"]
    check(
        [(f["name"], f.get("type")) for f in d["fields"]] == [(f["name"], f.get("type")) for f in schema_fields],
        "fields differ from the schema facet",
    )
    for f, rf in zip(d["fields"], expected["fields"]):
        check(
            (f["description"], f["tags"]) == (rf.get("description"), rf.get("tags")),
            f"field {f['name']}: {f['description']!r}/{f['tags']} REST {rf.get('description')!r}/{rf.get('tags')}",
        )
    ok(f"{len(d['fields'])} fields with types, tags and nested fields as REST")

    owners = expected["facets"]["ownership"]["owners"]
    check(
        [(o["name"], o["type"]) for o in d["owners"]] == [(o["name"], o.get("type")) for o in owners],
        f"owners {d['owners']}, ownership facet {owners}",
    )
    check(len(owners) > 0, "the dataset has no owners to compare")
    facets = d["facets"]
    check(
        facets["raw"] == {k: expected["facets"][k] for k in ("ownership", "schema")},
        "facets.raw(names:) differ from REST's",
    )
    ok(f"owners {[o['name'] for o in d['owners']]}, facets.raw(names:) exactly as REST")

    check(
        gql_fields(facets["schema"]["fields"]) == rest_fields(schema_fields),
        "the typed schema facet differs from REST's schema facet",
    )
    check(
        [(o["name"], o["type"]) for o in facets["ownership"]["owners"]] == [(o["name"], o.get("type")) for o in owners],
        f"the typed ownership facet {facets['ownership']}, REST {owners}",
    )
    ok(f"typed facets: schema ({len(facets['schema']['fields'])} fields) and ownership as the facets REST serves")

    versions = rest(server, f"/namespaces/{quote(SNOWFLAKE)}/datasets/{quote(DATASET)}/versions", limit=5)
    got = d["versions"]
    check(got["totalCount"] == versions["totalCount"], f"versions totalCount {got['totalCount']}, REST {versions}")
    check(got["totalCount"] > 0, "the dataset has no schema versions")
    for node, want in zip(got["nodes"], versions["versions"]):
        check(
            (node["id"], node["createdAt"], (node["run"] or {}).get("id"))
            == (want["version"], want["createdAt"], (want["createdByRun"] or {}).get("id")),
            f"version {node['id']} {node['createdAt']}, REST {want['version']} {want['createdAt']}",
        )
        check(
            [(f["name"], f["type"]) for f in node["fields"]] == [(f["name"], f["type"]) for f in want["fields"]],
            f"version {node['id']} fields differ from REST's",
        )
    ok(f"{got['totalCount']} schema version(s), newest first, as REST lists them")


JOB_QUERY = """
query Job($namespace: String!, $name: String!, $first: Int, $after: String) {
  job(namespace: $namespace, name: $name) {
    namespace name type description location tags parentJobName createdAt updatedAt
    inputs { namespace name }
    outputs { namespace name }
    latestRun { id state }
    runs(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id jobNamespace jobName state createdAt updatedAt startedAt endedAt durationMs jobVersion
        job { name }
        inputs { namespace name version dataset { name } }
        outputs { namespace name version }
      }
    }
  }
}
"""


def check_job(session: Any, server: Server) -> None:
    step(f"job({JOB_NAMESPACE}, {JOB}) with inputs, outputs and runs (paged by 2) against REST")
    expected = rest(server, f"/namespaces/{quote(JOB_NAMESPACE)}/jobs/{quote(JOB)}")
    expected_runs = rest(server, f"/namespaces/{quote(JOB_NAMESPACE)}/jobs/{quote(JOB)}/runs")["runs"]
    first = run(session, JOB_QUERY, namespace=JOB_NAMESPACE, name=JOB, first=2)["job"]
    check(first is not None, "the job is null")
    for key in (
        "namespace",
        "name",
        "type",
        "description",
        "location",
        "tags",
        "parentJobName",
        "createdAt",
        "updatedAt",
    ):
        check(first[key] == expected[key], f"job {key} is {first[key]!r}, REST {expected[key]!r}")
    pairs = lambda items: [(i["namespace"], i["name"]) for i in items]  # noqa: E731
    check(pairs(first["inputs"]) == pairs(expected["inputs"]), f"inputs {first['inputs']}, REST {expected['inputs']}")
    check(
        pairs(first["outputs"]) == pairs(expected["outputs"]), f"outputs {first['outputs']}, REST {expected['outputs']}"
    )
    check(
        first["latestRun"] == {"id": expected["latestRun"]["id"], "state": expected["latestRun"]["state"]},
        f"latestRun {first['latestRun']}, REST {expected['latestRun']['id']} {expected['latestRun']['state']}",
    )
    ok(f"inputs {[n for _, n in pairs(first['inputs'])]}, outputs {[n for _, n in pairs(first['outputs'])]}")

    runs: list[dict[str, Any]] = []
    page = first["runs"]
    while True:
        check(
            page["totalCount"] == len(expected_runs), f"runs totalCount {page['totalCount']}, REST {len(expected_runs)}"
        )
        runs.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        check(len(runs) < 100, "runs: still more pages after 100 runs")
        page = run(session, JOB_QUERY, namespace=JOB_NAMESPACE, name=JOB, first=2, after=page["pageInfo"]["endCursor"])[
            "job"
        ]["runs"]
    check([r["id"] for r in runs] == [r["id"] for r in expected_runs], "run ids (newest first) differ from REST's")
    for r, want in zip(runs, expected_runs):
        for key in ("state", "createdAt", "updatedAt", "startedAt", "endedAt", "durationMs"):
            check(r[key] == want[key], f"run {r['id']} {key} is {r[key]!r}, REST {want[key]!r}")
        check(r["jobVersion"] == want["jobVersion"]["version"], f"run {r['id']} jobVersion {r['jobVersion']}")
        check((r["jobNamespace"], r["jobName"], r["job"]["name"]) == (JOB_NAMESPACE, JOB, JOB), f"run {r['id']} job")
        got_in = [(i["namespace"], i["name"], i["version"]) for i in r["inputs"]]
        want_in = [
            (v["datasetVersionId"]["namespace"], v["datasetVersionId"]["name"], v["datasetVersionId"]["version"])
            for v in want["inputDatasetVersions"]
        ]
        check(got_in == want_in, f"run {r['id']} inputs {got_in}, REST {want_in}")
        check(all(i["dataset"] and i["dataset"]["name"] == i["name"] for i in r["inputs"]), "a run input's dataset")
        got_out = [(i["namespace"], i["name"], i["version"]) for i in r["outputs"]]
        want_out = [
            (v["datasetVersionId"]["namespace"], v["datasetVersionId"]["name"], v["datasetVersionId"]["version"])
            for v in want["outputDatasetVersions"]
        ]
        check(got_out == want_out, f"run {r['id']} outputs {got_out}, REST {want_out}")
    ok(f"{len(runs)} runs paged by 2: ids, states, times, versions as REST")


LINEAGE_QUERY = """
query Lineage($nodeId: String!) {
  lineage(nodeId: $nodeId) {
    nodes { id type namespace name field }
    edges { origin destination kind job }
  }
}
"""


def check_lineage(session: Any, server: Server) -> None:
    step(f"lineage(nodeId: {CUSTOMERS}) against GET /api/v1/lineage")
    graph = run(session, LINEAGE_QUERY, nodeId=CUSTOMERS)["lineage"]
    expected = rest(server, "/lineage", nodeId=CUSTOMERS)["graph"]
    got_nodes = {n["id"]: n["type"] for n in graph["nodes"]}
    want_nodes = {n["id"]: n["type"] for n in expected}
    check(
        got_nodes == want_nodes,
        f"lineage nodes differ: only GraphQL {set(got_nodes) - set(want_nodes)}, "
        f"only REST {set(want_nodes) - set(got_nodes)}",
    )
    check(graph["nodes"][0]["id"] == CUSTOMERS, f"the first node is {graph['nodes'][0]['id']}, not the start")
    got_edges = {(e["origin"], e["destination"]) for e in graph["edges"]}
    want_edges = {(e["origin"], e["destination"]) for n in expected for e in n["inEdges"] + n["outEdges"]}
    check(
        got_edges == want_edges,
        f"lineage edges differ: only GraphQL {got_edges - want_edges}, only REST {want_edges - got_edges}",
    )
    kinds = {e["kind"] for e in graph["edges"]}
    check(kinds == {"READ", "WRITE"}, f"dataset-level edge kinds {kinds}")
    ok(f"{len(got_nodes)} nodes and {len(got_edges)} edges as REST")


IMPACT_QUERY = """
query Impact($nodeId: String!, $first: Int, $after: String) {
  impact(nodeId: $nodeId, first: $first, after: $after) {
    nodeId direction level depth truncated start
    counts { reached listed datasets jobs columns }
    groups {
      domains { id label distance products members }
      products { id distance members }
      owners { name distance members }
    }
    nodes {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id type distance via path products }
    }
  }
}
"""


def check_impact(session: Any, server: Server) -> None:
    step(f"impact(nodeId: {CUSTOMERS}) against GET /api/v1/impact")
    expected = rest(server, "/impact", nodeId=CUSTOMERS)
    answer = run(session, IMPACT_QUERY, nodeId=CUSTOMERS, first=100)["impact"]
    for key in ("nodeId", "direction", "level", "depth", "truncated", "start", "counts"):
        check(answer[key] == expected[key], f"impact {key} is {answer[key]!r}, REST {expected[key]!r}")
    got = {n["id"]: n["distance"] for n in answer["nodes"]["nodes"]}
    want = {n["id"]: n["distance"] for n in expected["nodes"]}
    check(got == want, f"impact nodes and distances differ: GraphQL {got}, REST {want}")
    check(
        [n["id"] for n in answer["nodes"]["nodes"]] == [n["id"] for n in expected["nodes"]],
        "impact nodes come in another order than REST's",
    )
    for n, w in zip(answer["nodes"]["nodes"], expected["nodes"]):
        check((n["via"], n["path"], n["products"]) == (w["via"], w["path"], w["products"]), f"impact node {n['id']}")
    check(
        answer["nodes"]["totalCount"] == expected["page"]["total"], "impact totalCount differs from REST's page total"
    )
    ok(f"{len(got)} nodes with distances, via and paths as REST (counts {answer['counts']})")

    domains = answer["groups"]["domains"]
    want_domains = [
        (d["id"], d["label"], d["distance"], d["products"], d["members"]) for d in expected["groups"]["domains"]
    ]
    check(
        [(d["id"], d["label"], d["distance"], d["products"], d["members"]) for d in domains] == want_domains,
        f"impact domains {domains}, REST {want_domains}",
    )
    check(len(domains) == 5, f"the impact reaches {len(domains)} domains, expected 5")
    for group in ("products", "owners"):
        key = "id" if group == "products" else "name"
        g = [(x[key], x["distance"], x["members"]) for x in answer["groups"][group]]
        w = [(x[key], x["distance"], x["members"]) for x in expected["groups"][group]]
        check(g == w, f"impact {group} {g}, REST {w}")
    ok(f"5 domains {[(d['label'], d['distance']) for d in domains]}; products and owners as REST")

    # Paged by 5: the same nodes in the same order.
    paged: list[str] = []
    after = None
    while True:
        page = run(session, IMPACT_QUERY, nodeId=CUSTOMERS, first=5, after=after)["impact"]["nodes"]
        check(page["totalCount"] == len(want), f"paged impact totalCount {page['totalCount']}")
        paged.extend(n["id"] for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        check(len(paged) < 1000, "impact: still more pages after 1000 nodes")
        after = page["pageInfo"]["endCursor"]
    check(paged == [n["id"] for n in expected["nodes"]], f"impact paged by 5 gives {paged}")
    ok(f"impact nodes paged by 5: the same {len(paged)} nodes in order")


PRODUCTS_QUERY = """
{
  dataProducts {
    id title description
    owners { name iri label email }
    domain { id label }
    lifecycleStatus { id label }
    outputPorts { id title datasets { namespace name known nodeId } }
    inputPorts { id }
    outputDatasets { namespace name iri known }
    inputDatasets { namespace name }
    upstream { id title domain }
    downstream { id }
  }
}
"""


def check_products(session: Any, server: Server) -> None:
    step("dataProducts against GET /api/v1/products")
    products = run(session, PRODUCTS_QUERY)["dataProducts"]
    expected = rest(server, "/products")["products"]
    check([p["id"] for p in products] == [p["id"] for p in expected], "product ids differ from REST's")
    for p, w in zip(products, expected):
        for key in ("title", "description", "owners", "domain", "lifecycleStatus", "upstream"):
            check(p[key] == w[key], f"product {p['id']} {key} is {short(p[key])}, REST {short(w[key])}")
        for key in ("inputPorts", "downstream"):
            check([x["id"] for x in p[key]] == [x["id"] for x in w[key]], f"product {p['id']} {key}")
        check(
            [(x["namespace"], x["name"]) for x in p["inputDatasets"]]
            == [(x.get("namespace"), x.get("name")) for x in w["inputDatasets"]],
            f"product {p['id']} inputDatasets",
        )
        check(
            [(x["namespace"], x["name"], x["iri"], x["known"]) for x in p["outputDatasets"]]
            == [(x.get("namespace"), x.get("name"), x.get("iri"), x.get("known")) for x in w["outputDatasets"]],
            f"product {p['id']} outputDatasets",
        )
        for port, wport in zip(p["outputPorts"], w["outputPorts"]):
            check((port["id"], port["title"]) == (wport["id"], wport["title"]), f"product {p['id']} output port")
            for ds in port["datasets"]:
                if ds["known"]:
                    check(ds["nodeId"] == f"dataset:{ds['namespace']}:{ds['name']}", f"port dataset nodeId {ds}")
    domains = {p["domain"]["id"] for p in products if p["domain"]}
    check(len(products) == 13, f"{len(products)} data products, expected 13")
    check(len(domains) == 5, f"the products are in {len(domains)} domains, expected 5")
    ok(f"{len(products)} products in {len(domains)} domains: ports, datasets, owners, upstream as REST")


DOMAIN_QUERY = """
query Domain($id: String!) {
  domain(id: $id) {
    id label description
    products { id title domain }
    owners { name iri label email }
    dependsOn { id label }
    dependents { id label }
  }
  none: domain(id: "https://meshgraph.dev/example/retail/domain/no-such-domain") { id }
}
"""


def check_domains(session: Any, server: Server) -> None:
    step("domain(id) for each domain of GET /api/v1/domains")
    expected = rest(server, "/domains")["domains"]
    check(len(expected) == 5, f"REST lists {len(expected)} domains")
    listed = run(session, "{ domains { id } }")["domains"]
    check([d["id"] for d in listed] == [d["id"] for d in expected], "domains ids differ from REST's")
    for want in expected:
        answer = run(session, DOMAIN_QUERY, id=want["id"])
        check(answer["none"] is None, f"an unknown domain is {answer['none']}, expected null")
        d = answer["domain"]
        check(d is not None, f"domain({want['id']}) is null")
        for key in ("id", "label", "description", "products", "owners", "dependsOn", "dependents"):
            check(d[key] == want[key], f"domain {want['id']} {key} is {short(d[key])}, REST {short(want[key])}")
    ok(f"{len(expected)} domains: products, owners, dependsOn, dependents as REST; unknown id -> null")


CONCEPT_QUERY = """
query Concept($iri: String!) {
  concept(iri: $iri) {
    id label kind notations
    broader { id } narrower { id label }
    covers { id }
    datasets { namespace name nodeId concepts via }
    columns { dataset { namespace name iri known nodeId } field iri concepts via }
    products { id title domain }
    domains { id label }
  }
}
"""


def check_concept(session: Any, server: Server) -> None:
    step(f"concept(iri: {PERSONAL_DATA}) against GET /api/v1/concepts/{{iri}}")
    c = run(session, CONCEPT_QUERY, iri=PERSONAL_DATA)["concept"]
    expected = rest(server, f"/concepts/{quote(PERSONAL_DATA)}")
    check(c is not None, "the concept is null")
    check((c["id"], c["label"]) == (expected["id"], expected["label"]), f"concept {c['id']} {c['label']!r}")
    check(c["kind"] == expected["kind"].upper(), f"concept kind {c['kind']}, REST {expected['kind']}")
    for key in ("broader", "narrower", "covers"):
        check([x["id"] for x in c[key]] == [x["id"] for x in expected[key]], f"concept {key} differs from REST's")
    check(c["products"] == expected["products"], f"concept products {short(c['products'])}")
    check(c["domains"] == expected["domains"], f"concept domains {short(c['domains'])}")
    check(len(c["columns"]) > 0, "no column carries PersonalData")
    got = [
        (
            x["dataset"]["namespace"],
            x["dataset"]["name"],
            x["field"],
            x["iri"],
            x["concepts"],
            [v.lower() for v in x["via"]],
        )
        for x in c["columns"]
    ]
    want = [
        (x["dataset"].get("namespace"), x["dataset"].get("name"), x["field"], x.get("iri"), x["concepts"], x["via"])
        for x in expected["columns"]
    ]
    check(got == want, f"concept columns {short(got)}, REST {short(want)}")
    for x in c["columns"]:
        d = x["dataset"]
        if d["known"]:
            check(d["nodeId"] == f"dataset:{d['namespace']}:{d['name']}", f"column dataset nodeId {d}")
    check(
        [(x["namespace"], x["name"]) for x in c["datasets"]]
        == [(x.get("namespace"), x.get("name")) for x in expected["datasets"]],
        "concept datasets differ from REST's",
    )
    ok(
        f"{len(c['columns'])} columns carry it (covering {len(c['covers'])} terms), "
        f"{len(c['products'])} products, {len(c['domains'])} domains as REST"
    )


SEARCH_QUERY = """
query Search($text: String!, $first: Int) {
  search(text: $text, first: $first) {
    totalCount
    results { type id name namespace description updatedAt match field }
  }
}
"""


def check_search(session: Any, server: Server) -> None:
    step(f"search(text: {SEARCH_TEXT!r}) against GET /api/v1/search")
    for first in (10, 50):
        s = run(session, SEARCH_QUERY, text=SEARCH_TEXT, first=first)["search"]
        expected = rest(server, "/search", q=SEARCH_TEXT, limit=first)
        check(
            s["totalCount"] == expected["totalCount"],
            f"search totalCount {s['totalCount']}, REST {expected['totalCount']}",
        )
        got = [(r["type"], r["id"], r["name"], r["namespace"], r["match"], r["field"]) for r in s["results"]]
        want = [
            (r["type"], r["nodeId"], r["name"], r.get("namespace"), r["match"], r["field"]) for r in expected["results"]
        ]
        check(got == want, f"search hits (first: {first}) {short(got)}, REST {short(want)}")
        check(len(got) == min(first, expected["totalCount"]), f"{len(got)} hits for first: {first}")
    check(got and got[0][4] == "EXACT", f"the best hit is not an exact match: {got[:1]}")
    types = sorted({g[0] for g in got})
    ok(f"{s['totalCount']} hits, best {got[0][2]!r} ({got[0][0]}), kinds {types}, ranked as REST")


def expect_error(session: Any, query: str, code: str, what: str, **variables: Any) -> TransportQueryError:
    request = GraphQLRequest(query, variable_values=variables or None)
    try:
        answer = session.execute(request)
    except TransportQueryError as err:
        codes = [((e.get("extensions") or {}).get("code")) for e in err.errors or []]
        check(
            codes and all(c == code for c in codes),
            f"{what}: error codes {codes}, expected {code}: {short(err.errors)}",
        )
        return err
    raise CheckFailed(f"{what}: no error, the server answered {short(answer)}")


def nested_fields(depth: int) -> str:
    inner = "name"
    for _ in range(depth):
        inner = f"name fields {{ {inner} }}"
    return inner


def check_errors(session: Any) -> None:
    step("a query costing more than 20,000: TransportQueryError with code query_too_complex")
    costly = "{ namespaces(first: 1000) { nodes { name datasets(first: 1000) { nodes { name namespace } } } } }"
    err = expect_error(session, costly, "query_too_complex", "the costly query")
    ok(f"code query_too_complex: {err.errors[0]['message']}")

    step("a query nested deeper than 16 levels: query_too_complex")
    deep = '{ dataset(namespace: "%s", name: "%s") { %s } }' % (SNOWFLAKE, DATASET, nested_fields(20))
    err = expect_error(session, deep, "query_too_complex", "the deep query")
    ok(f"code query_too_complex: {err.errors[0]['message']}")

    step("an unknown lineage node: not_found")
    err = expect_error(
        session, LINEAGE_QUERY, "not_found", "lineage of an unknown node", nodeId="dataset:nowhere:nothing"
    )
    ok(f"code not_found: {err.errors[0]['message']}")


def check_graphiql_and_sdl(server: Server, client: Client) -> None:
    step("GET /graphql: GraphiQL's HTML page")
    status, ctype, raw = http("GET", server.url("/graphql"))
    check(status == 200, f"GET /graphql answered {status}")
    check(ctype.startswith("text/html"), f"GET /graphql Content-Type is {ctype!r}")
    text = raw.decode(errors="replace")
    check("<html" in text.lower() and "graphiql" in text.lower(), f"GET /graphql is not GraphiQL: {text[:200]!r}")
    ok(f"200 {ctype}, {len(raw)} bytes")

    step("GET /graphql/sdl: SDL that graphql.build_schema parses, the schema introspection gave")
    status, ctype, raw = http("GET", f"{server.url('/graphql')}/sdl")
    check(status == 200, f"GET /graphql/sdl answered {status}")
    check(ctype.startswith("text/plain"), f"GET /graphql/sdl Content-Type is {ctype!r}")
    sdl_schema = build_schema(raw.decode())
    missing = [name for name in EXPECTED_TYPES if sdl_schema.get_type(name) is None]
    check(not missing, f"the SDL lacks the types {missing}")
    ok(f"{len(raw)} bytes, {len(sdl_schema.type_map)} types")
    assert client.schema is not None
    from_sdl = print_schema(lexicographic_sort_schema(sdl_schema))
    from_introspection = print_schema(lexicographic_sort_schema(client.schema))
    if from_sdl != from_introspection:
        import difflib

        diff = "\n".join(
            list(
                difflib.unified_diff(
                    from_introspection.splitlines(), from_sdl.splitlines(), "introspection", "sdl", lineterm=""
                )
            )[:40]
        )
        raise CheckFailed(f"the SDL and the introspected schema differ:\n{diff}")
    ok("the SDL and the introspected schema print the same (sorted)")


# --------------------------------------------------------------------------


def checks(server: Server) -> None:
    # gql logs every request and answer at INFO: keep the output to the checks.
    logging.getLogger("gql").setLevel(logging.WARNING)
    step("start meshgraph serve --demo and wait for GET /health")
    server.start()
    health = json.loads(http("GET", f"{server.base_url}/health")[2])
    check(health["lineage"]["nodes"] > 0, f"the demo mesh loaded no lineage: {health}")
    ok(f"{server.base_url}, lineage {health['lineage']}")

    client = make_client(server)
    with client as session:
        check_introspection(client, session)
        check_namespaces_and_datasets(session, server)
        check_dataset(session, server)
        check_job(session, server)
        check_lineage(session, server)
        check_impact(session, server)
        check_products(session, server)
        check_domains(session, server)
        check_concept(session, server)
        check_search(session, server)
        check_errors(session)
    check_graphiql_and_sdl(server, client)
    check_stops_cleanly(server)


if __name__ == "__main__":
    usage = __doc__.strip().splitlines()[2]
    sys.exit(main("graphql_client", "gql GraphQL client", ["--demo"], checks, usage))
