#!/usr/bin/env python3
"""End-to-end check: the SPARQL clients people use against a real meshgraph.

Usage: python tests/e2e/sparql_clients.py PATH/TO/meshgraph

Starts the meshgraph binary on a free loopback port with a fresh data
directory and an API key, then:

- loads the official DPROD ontology (`../shared/dprod/dprod-ontology.ttl`,
  next to the repository) with a Graph Store Protocol `PUT` (401 without the
  key, 201 for the new graph, 204 when it is replaced) and reads it back
  unchanged, and loads a small data-mesh example of its own (two
  `dprod:DataProduct`s, their ports, distributions and datasets) as a TriG
  `POST /store`; a scratch graph is POSTed to twice, then DELETEd;
- queries with SPARQLWrapper: SELECT in SPARQL JSON, XML and CSV by GET, form
  POST and direct POST, ASK (true and false), CONSTRUCT and DESCRIBE turned
  into rdflib graphs, a malformed query; and updates with it (`INSERT DATA`,
  `DELETE/INSERT ... WHERE`, as a form and as `application/sparql-update`,
  with the key as a bearer token; without it or with a wrong one the client
  raises `Unauthorized` and nothing is written);
- goes through rdflib's `SPARQLUpdateStore`: a `Dataset` and `Graph`s over
  the store (queries, `len`, `value`, membership, `contexts`), then `add`,
  `addN`, `remove` and `update`, read back with SPARQL;
- checks the protocol's errors with plain urllib: 400 `malformed_query`, 406
  `not_acceptable`, 415, 404;
- stops the server and restarts it on the same data directory: the dataset
  rebuilt from the log is the one that was there before.

Every answer is compared with what rdflib computes locally from the same
documents. The server is always stopped (SIGTERM, then SIGKILL after a
timeout), even when a check fails. Exit status 0 means every check passed;
on failure the failed check and the tail of the server log are printed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from xml.dom.minidom import Document, Element

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.term import Node
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized
from _harness import CheckFailed, Server, check, check_stops_cleanly, main, ok, step

API_KEY = "e2e-sparql-key"

DPROD = Namespace("https://ekgf.github.io/dprod/")
MG = Namespace("https://meshgraph.dev/ns#")
EX = Namespace("https://example.com/e2e/mesh/")

REPO_ROOT = Path(__file__).resolve().parents[2]
DPROD_ONTOLOGY = REPO_ROOT.parent / "shared" / "dprod" / "dprod-ontology.ttl"
DPROD_GRAPH = "https://ekgf.github.io/dprod/"
EXAMPLE_GRAPH = "https://example.com/e2e/graphs/products"
SPARQLWRAPPER_GRAPH = "https://example.com/e2e/graphs/sparqlwrapper"
RDFLIB_GRAPH = "https://example.com/e2e/graphs/rdflib"
SCRATCH_GRAPH = "https://example.com/e2e/graphs/scratch"

HTTP_TIMEOUT_S = 30.0

PREFIXES = """\
PREFIX dprod: <https://ekgf.github.io/dprod/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX mg: <https://meshgraph.dev/ns#>
PREFIX ex: <https://example.com/e2e/mesh/>
"""

# Two data products described with DPROD and DCAT, each output port serving a
# distribution of a dataset that names its OpenLineage identity. Sent as TriG
# to POST /store, so the graph it names is where it lands.
EXAMPLE_TRIG = f"""\
@prefix dprod: <https://ekgf.github.io/dprod/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix mg: <https://meshgraph.dev/ns#> .
@prefix ex: <https://example.com/e2e/mesh/> .

<{EXAMPLE_GRAPH}> {{
    ex:orders a dprod:DataProduct ;
        dcterms:title "Orders" ;
        dcterms:description "Every order, as placed."@en ;
        dprod:outputPort ex:orders-api .
    ex:orders-api a dcat:DataService ;
        dcterms:title "Orders table" ;
        dprod:isAccessServiceOf ex:orders-dist .
    ex:orders-dist a dcat:Distribution ;
        dprod:isDistributionOf ex:orders-ds .
    ex:orders-ds a dcat:Dataset ;
        mg:datasetNamespace "postgres://sales-db:5432" ;
        mg:datasetName "sales.public.orders" .

    ex:revenue a dprod:DataProduct ;
        dcterms:title "Daily revenue" ;
        dprod:outputPort ex:revenue-port .
    ex:revenue-port a dcat:DataService ;
        dprod:isAccessServiceOf ex:revenue-dist .
    ex:revenue-dist a dcat:Distribution ;
        dprod:isDistributionOf ex:revenue-ds .
    ex:revenue-ds a dcat:Dataset ;
        mg:datasetNamespace "warehouse" ;
        mg:datasetName "finance.daily_revenue" .
}}
"""

# DPROD's own classes and properties, with their labels.
TERMS_QUERY = (
    PREFIXES
    + """\
SELECT ?term ?kind ?label WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
  ?term a ?kind ; rdfs:isDefinedBy dprod: ; rdfs:label ?label .
}
ORDER BY ?term ?kind
"""
)

# What each product outputs, through port, distribution and dataset.
PRODUCTS_QUERY = (
    PREFIXES
    + """\
SELECT ?product ?title ?namespace ?name WHERE {
  ?product a dprod:DataProduct ; dcterms:title ?title ;
           dprod:outputPort/dprod:isAccessServiceOf/dprod:isDistributionOf ?dataset .
  ?dataset mg:datasetNamespace ?namespace ; mg:datasetName ?name .
}
ORDER BY ?product ?title
"""
)

OUTPUTS_CONSTRUCT = (
    PREFIXES
    + """\
CONSTRUCT {
  ?product dcterms:title ?title ; dprod:outputDataset ?dataset .
  ?dataset mg:datasetNamespace ?namespace ; mg:datasetName ?name .
} WHERE {
  ?product a dprod:DataProduct ; dcterms:title ?title ;
           dprod:outputPort/dprod:isAccessServiceOf/dprod:isDistributionOf ?dataset .
  ?dataset mg:datasetNamespace ?namespace ; mg:datasetName ?name .
}
"""
)


# --------------------------------------------------------------------------
# Plain HTTP (urllib): what curl would see
# --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def text(self, limit: int = 600) -> str:
        text = self.body.decode(errors="replace")
        return text if len(text) <= limit else text[:limit] + "..."


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
            return Answer(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, err.headers, err.read())


def bearer(key: str = API_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def graph_url(server: Server, graph: str) -> str:
    return f"{server.url('/store')}?graph={urllib.parse.quote(graph, safe='')}"


def check_error(answer: Answer, status: int, code: str, what: str) -> None:
    check(answer.status == status, f"{what} answered {answer.status}, expected {status}: {answer.text()}")
    body = answer.json()
    check(
        isinstance(body, dict) and body.get("code") == code and body.get("message"),
        f"{what}: the {status} body is not {{code: {code}, message}}: {answer.text()}",
    )


def fetch_graph(server: Server, graph: str, accept: str = "text/turtle") -> Graph:
    answer = http("GET", graph_url(server, graph), headers={"Accept": accept})
    check(answer.status == 200, f"GET /store?graph={graph} answered {answer.status}: {answer.text()}")
    parsed = Graph()
    parsed.parse(data=answer.body, format=accept)
    return parsed


# --------------------------------------------------------------------------
# Comparing answers with what rdflib computes locally
# --------------------------------------------------------------------------

Row = tuple[Optional[Node], ...]


def norm(term: Node | None) -> Node | None:
    """A simple literal is an xsd:string: some writers say so, others do not."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def local_rows(graph: Graph | Dataset, query: str) -> list[Row]:
    return sorted((tuple(norm(v) for v in row) for row in graph.query(query)), key=repr)  # type: ignore[union-attr]


def json_rows(answer: dict[str, Any]) -> list[Row]:
    variables = answer["head"]["vars"]
    rows = []
    for binding in answer["results"]["bindings"]:
        rows.append(tuple(json_term(binding[v]) if v in binding else None for v in variables))
    return sorted(rows, key=repr)


def json_term(value: dict[str, str]) -> Node:
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    literal = Literal(value["value"], lang=value.get("xml:lang"), datatype=value.get("datatype"))
    return norm(literal)  # type: ignore[return-value]


def xml_rows(doc: Document) -> tuple[list[str], list[Row]]:
    variables = [v.getAttribute("name") for v in doc.getElementsByTagName("variable")]
    rows = []
    for result in doc.getElementsByTagName("result"):
        values: dict[str, Node] = {}
        for binding in result.getElementsByTagName("binding"):
            node = next(c for c in binding.childNodes if isinstance(c, Element))
            text = "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE)
            if node.tagName == "uri":
                values[binding.getAttribute("name")] = URIRef(text)
            elif node.tagName == "bnode":
                values[binding.getAttribute("name")] = BNode(text)
            else:
                values[binding.getAttribute("name")] = norm(  # type: ignore[assignment]
                    Literal(
                        text,
                        lang=node.getAttribute("xml:lang") or None,
                        datatype=node.getAttribute("datatype") or None,
                    )
                )
        rows.append(tuple(values.get(v) for v in variables))
    return variables, sorted(rows, key=repr)


def as_text(rows: list[Row]) -> list[tuple[str, ...]]:
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def plain_graph(graph: Graph) -> Graph:
    """The triples of any graph (a client's ConjunctiveGraph included) as one Graph."""
    out = Graph()
    for triple in graph.triples((None, None, None)):
        out.add(triple)
    return out


def same_graph(got: Graph, expected: Graph, what: str) -> None:
    got = plain_graph(got)
    if isomorphic(got, expected):
        return
    missing = sorted(set(expected) - set(got), key=repr)[:5]
    extra = sorted(set(got) - set(expected), key=repr)[:5]
    raise CheckFailed(
        f"{what}: {len(got)} triples, expected {len(expected)}; missing e.g. {missing}; unexpected e.g. {extra}"
    )


@contextlib.contextmanager
def client_quiet(what: str) -> Iterator[None]:
    """SPARQLWrapper warns (RuntimeWarning) when the answer's type is not the one asked for."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    complaints = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    check(not complaints, f"{what}: the client warned {complaints}")


# --------------------------------------------------------------------------
# Graph Store Protocol: loading DPROD and the example
# --------------------------------------------------------------------------


def load_documents(server: Server, dprod_text: bytes, dprod: Graph, example: Graph) -> None:
    url = graph_url(server, DPROD_GRAPH)
    turtle = {"Content-Type": "text/turtle"}

    step(f"PUT /store?graph={DPROD_GRAPH} without the key, then with a wrong one")
    check_error(http("PUT", url, dprod_text, turtle), 401, "unauthorized", "PUT without Authorization")
    check_error(
        http("PUT", url, dprod_text, turtle | bearer("not-the-key")), 401, "unauthorized", "PUT with a wrong key"
    )
    head = http("HEAD", url)
    check(head.status == 404, f"HEAD after the refused PUTs answered {head.status}, expected 404 (nothing written)")
    ok("401 {code: unauthorized}, and the graph does not exist")

    step("PUT the DPROD ontology with the key: 201 for the new graph, 204 when replaced")
    answer = http("PUT", url, dprod_text, turtle | bearer())
    check(answer.status == 201, f"the first PUT answered {answer.status}, expected 201: {answer.text()}")
    answer = http("PUT", url, dprod_text, turtle | bearer())
    check(answer.status == 204, f"the second PUT answered {answer.status}, expected 204: {answer.text()}")
    ok("201, then 204")

    step("HEAD and GET the graph back (Turtle, N-Triples, RDF/XML, JSON-LD)")
    head = http("HEAD", url, headers={"Accept": "text/turtle"})
    check(
        head.status == 200 and head.content_type == "text/turtle" and not head.body,
        f"HEAD answered {head.status} {head.content_type!r} with {len(head.body)} bytes",
    )
    for accept in ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"):
        same_graph(fetch_graph(server, DPROD_GRAPH, accept), dprod, f"GET the DPROD graph as {accept}")
    ok(f"the {len(dprod)} triples of {DPROD_ONTOLOGY.name} come back unchanged in four formats")

    step("POST /store a TriG document: two data products in their own graph")
    trig = {"Content-Type": "application/trig"}
    answer = http("POST", server.url("/store"), EXAMPLE_TRIG.encode(), trig)
    check_error(answer, 401, "unauthorized", "POST /store without the key")
    answer = http("POST", server.url("/store"), EXAMPLE_TRIG.encode(), trig | bearer())
    check(answer.status in (200, 204), f"POST /store answered {answer.status}, expected 204: {answer.text()}")
    same_graph(fetch_graph(server, EXAMPLE_GRAPH), example, f"GET /store?graph={EXAMPLE_GRAPH}")
    ok(f"{answer.status}; {len(example)} triples in {EXAMPLE_GRAPH}")


def graph_store_writes(server: Server) -> None:
    step("POST to a named graph (201 new, then 204), DELETE it (401 without the key, 204, then 404)")
    url = graph_url(server, SCRATCH_GRAPH)
    ntriples = {"Content-Type": "application/n-triples"}
    first = f"<{EX.scratch}> <{RDFS.label}> \"first\" .\n".encode()
    second = f"<{EX.scratch}> <{RDFS.label}> \"second\"@en .\n".encode()
    answer = http("POST", url, first, ntriples | bearer())
    check(answer.status == 201, f"POST to a new graph answered {answer.status}, expected 201: {answer.text()}")
    answer = http("POST", url, second, ntriples | bearer())
    check(answer.status == 204, f"POST to an existing graph answered {answer.status}, expected 204: {answer.text()}")
    labels = set(fetch_graph(server, SCRATCH_GRAPH, "application/n-triples").objects(EX.scratch, RDFS.label))
    check(labels == {Literal("first"), Literal("second", lang="en")}, f"the POSTs left {labels}")
    check_error(http("DELETE", url), 401, "unauthorized", "DELETE without the key")
    answer = http("DELETE", url, headers=bearer())
    check(answer.status == 204, f"DELETE answered {answer.status}, expected 204: {answer.text()}")
    head = http("HEAD", url)
    check(head.status == 404, f"HEAD after DELETE answered {head.status}, expected 404")
    check_error(http("DELETE", url, headers=bearer()), 404, "not_found", "a second DELETE")
    ok("201, 204, both documents added; 401, 204, then 404")


# --------------------------------------------------------------------------
# SPARQLWrapper
# --------------------------------------------------------------------------


def wrapper(
    server: Server,
    query: str,
    fmt: str = JSON,
    method: str | None = None,
    request_method: str | None = None,
    key: str | None = None,
) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url("/sparql"), updateEndpoint=server.url("/sparql"))
    sparql.setTimeout(int(HTTP_TIMEOUT_S))
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    if request_method:
        sparql.setRequestMethod(request_method)
    if key is not None:
        # setHTTPAuth knows Basic and Digest only: a bearer token is a custom header.
        sparql.addCustomHttpHeader("Authorization", f"Bearer {key}")
    sparql.setQuery(query)
    return sparql


def sparqlwrapper_queries(server: Server, dprod: Graph, example: Graph) -> None:
    expected_terms = local_rows(dprod, TERMS_QUERY)
    names = {row[0] for row in expected_terms}
    check(
        DPROD.DataProduct in names and DPROD.outputPort in names,
        f"the local DPROD ontology lacks DataProduct or outputPort: {sorted(names)}",
    )

    step("SPARQLWrapper SELECT: DPROD's classes and properties with their labels, SPARQL JSON")
    for method, request_method, how in [
        (None, None, "GET"),
        (POST, URLENCODED, "POST form"),
        (POST, POSTDIRECTLY, "POST application/sparql-query"),
    ]:
        with client_quiet(f"SELECT by {how}"):
            result = wrapper(server, TERMS_QUERY, JSON, method, request_method).query()
            content_type = result.info()["content-type"]
            rows = json_rows(result.convert())
        check(
            content_type.startswith("application/sparql-results+json"),
            f"SELECT by {how} came back as {content_type}",
        )
        check(rows == expected_terms, f"SELECT by {how} gave {rows}, expected {expected_terms}")
    labels = {row[0]: str(row[2]) for row in expected_terms}
    ok(
        f"{len(expected_terms)} terms by GET, form POST and direct POST, "
        f"dprod:DataProduct {labels[DPROD.DataProduct]!r} and dprod:outputPort {labels[DPROD.outputPort]!r} among them"
    )

    step("SPARQLWrapper SELECT in XML, CSV and TSV")
    with client_quiet("SELECT as XML"):
        result = wrapper(server, TERMS_QUERY, XML).query()
        content_type = result.info()["content-type"]
        variables, rows = xml_rows(result.convert())
    check(content_type.startswith("application/sparql-results+xml"), f"the XML SELECT came back as {content_type}")
    check(variables == ["term", "kind", "label"], f"the XML head names {variables}")
    check(rows == expected_terms, f"the XML SELECT gave {rows}, expected {expected_terms}")
    with client_quiet("SELECT as CSV"):
        result = wrapper(server, TERMS_QUERY, CSV).query()
        content_type = result.info()["content-type"]
        table = list(csv.reader(io.StringIO(result.convert().decode("utf-8"))))
    check(content_type.startswith("text/csv"), f"the CSV SELECT came back as {content_type}")
    check(table[:1] == [["term", "kind", "label"]], f"the CSV header is {table[:1]}")
    check(
        sorted(tuple(r) for r in table[1:]) == as_text(expected_terms),
        f"the CSV rows are {table[1:]}, expected {as_text(expected_terms)}",
    )
    with client_quiet("SELECT as TSV"):
        result = wrapper(server, TERMS_QUERY, TSV).query()
        content_type = result.info()["content-type"]
        lines = result.convert().decode("utf-8").splitlines()
    check(content_type.startswith("text/tab-separated-values"), f"the TSV SELECT came back as {content_type}")
    check(lines[:1] == ["?term\t?kind\t?label"], f"the TSV header is {lines[:1]}")
    expected_tsv = sorted("\t".join(term.n3() for term in row) for row in expected_terms)  # type: ignore[union-attr]
    check(sorted(lines[1:]) == expected_tsv, f"the TSV rows are {lines[1:]}, expected {expected_tsv}")
    ok("XML bindings, CSV and TSV rows agree with the JSON")

    step("SPARQLWrapper SELECT over the union of graphs: products and the datasets they output")
    expected_products = local_rows(example, PRODUCTS_QUERY)
    check(len(expected_products) == 2, f"the example should give two rows locally: {expected_products}")
    with client_quiet("products SELECT"):
        rows = json_rows(wrapper(server, PRODUCTS_QUERY).queryAndConvert())
    check(rows == expected_products, f"the products SELECT gave {rows}, expected {expected_products}")
    ok(f"{[(str(r[1]), str(r[3])) for r in rows]}")

    step("SPARQLWrapper ASK, true and false, in JSON and XML")
    true_ask = PREFIXES + "ASK { dprod:DataProduct a owl:Class ; rdfs:subClassOf dcat:Resource }"
    false_ask = PREFIXES + "ASK { dprod:outputPort a owl:Class }"
    for query, expected in [(true_ask, True), (false_ask, False)]:
        check(bool(dprod.query(query).askAnswer) is expected, f"locally, {query!r} is not {expected}")
        with client_quiet("ASK as JSON"):
            answer = wrapper(server, query, JSON).queryAndConvert()
        check(answer.get("boolean") is expected, f"ASK in JSON gave {answer}, expected {expected}")
        with client_quiet("ASK as XML"):
            doc = wrapper(server, query, XML).queryAndConvert()
        booleans = [n.firstChild.data for n in doc.getElementsByTagName("boolean")]
        check(booleans == [str(expected).lower()], f"ASK in XML gave {booleans}, expected {expected}")
    ok("true and false, both formats")

    step("SPARQLWrapper CONSTRUCT as RDF/XML, Turtle and JSON-LD, read into rdflib graphs")
    expected = plain_graph(example.query(OUTPUTS_CONSTRUCT).graph)  # type: ignore[arg-type]
    check(len(expected) == 8, f"locally the CONSTRUCT gives {len(expected)} triples, expected 8")
    for fmt, media in [(RDFXML, "application/rdf+xml"), (TURTLE, "text/turtle"), (JSONLD, "application/ld+json")]:
        with client_quiet(f"CONSTRUCT as {fmt}"):
            result = wrapper(server, OUTPUTS_CONSTRUCT, fmt).query()
            content_type = result.info()["content-type"]
            converted = result.convert()
        check(content_type.startswith(media), f"CONSTRUCT as {fmt} came back as {content_type}, expected {media}")
        if isinstance(converted, bytes):  # SPARQLWrapper hands Turtle over as bytes
            graph = Graph()
            graph.parse(data=converted, format="turtle")
            converted = graph
        check(isinstance(converted, Graph), f"CONSTRUCT as {fmt} converted to {type(converted).__name__}")
        same_graph(converted, expected, f"CONSTRUCT as {fmt}")
    ok(f"{len(expected)} triples, the same in the three formats")

    step("SPARQLWrapper DESCRIBE dprod:DataProduct as RDF/XML")
    with client_quiet("DESCRIBE"):
        described = wrapper(server, PREFIXES + "DESCRIBE dprod:DataProduct", RDFXML).queryAndConvert()
    check(isinstance(described, Graph), f"DESCRIBE converted to {type(described).__name__}")
    check(
        (DPROD.DataProduct, RDFS.label, Literal("data product")) in described
        and (DPROD.DataProduct, RDFS.subClassOf, DCAT.Resource) in described,
        f"DESCRIBE lacks the label or the superclass: {sorted(described, key=repr)[:10]}",
    )
    ok(f"{len(described)} triples about dprod:DataProduct")

    step("SPARQLWrapper with a malformed query: QueryBadFormed")
    try:
        wrapper(server, "SELECT ?s WHERE { ?s ?p }").query()
    except QueryBadFormed as err:
        check("malformed_query" in str(err), f"the 400 does not carry code malformed_query: {err}")
    else:
        raise CheckFailed("a malformed query did not raise QueryBadFormed")
    ok("QueryBadFormed (400 malformed_query)")


SW_INSERT = (
    PREFIXES
    + f"""\
INSERT DATA {{
  GRAPH <{SPARQLWRAPPER_GRAPH}> {{
    ex:orders dcterms:modified "2026-11-24"^^xsd:date ;
              rdfs:comment "Données « clients » — vérifiées"@fr ;
              mg:reviewCount 3 .
  }}
}}
"""
)

SW_MODIFY = (
    PREFIXES
    + f"""\
DELETE {{ GRAPH <{SPARQLWRAPPER_GRAPH}> {{ ?product dcterms:modified ?day }} }}
INSERT {{ GRAPH <{SPARQLWRAPPER_GRAPH}> {{ ?product dcterms:modified "2026-11-25"^^xsd:date }} }}
WHERE {{ GRAPH <{SPARQLWRAPPER_GRAPH}> {{ ?product dcterms:modified ?day }} }}
"""
)

SW_GRAPH_QUERY = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{SPARQLWRAPPER_GRAPH}> {{ ?s ?p ?o }} }}"


def sparqlwrapper_expected(modified: str) -> list[Row]:
    return sorted(
        [
            (EX.orders, DCTERMS.modified, Literal(modified, datatype=XSD.date)),
            (EX.orders, RDFS.comment, Literal("Données « clients » — vérifiées", lang="fr")),
            (EX.orders, MG.reviewCount, Literal("3", datatype=XSD.integer)),
        ],
        key=repr,
    )


def sparqlwrapper_updates(server: Server) -> None:
    step("SPARQLWrapper UPDATE without the key, then with a wrong one: Unauthorized")
    for label, key in [("no key", None), ("a wrong key", "not-the-key")]:
        try:
            wrapper(server, SW_INSERT, method=POST, key=key).query()
        except Unauthorized as err:
            check("unauthorized" in str(err), f"the 401 does not carry code unauthorized: {err}")
        else:
            raise CheckFailed(f"an update with {label} did not raise Unauthorized")
    answer = wrapper(server, f"ASK {{ GRAPH <{SPARQLWRAPPER_GRAPH}> {{ ?s ?p ?o }} }}").queryAndConvert()
    check(answer.get("boolean") is False, f"a refused update wrote something: {answer}")
    ok("Unauthorized (401) both times, nothing written")

    step("SPARQLWrapper INSERT DATA into a named graph: POST form `update=` with the bearer key")
    with client_quiet("INSERT DATA"):
        result = wrapper(server, SW_INSERT, method=POST, request_method=URLENCODED, key=API_KEY).query()
    check(result.response.getcode() == 204, f"the update answered {result.response.getcode()}, expected 204")
    rows = json_rows(wrapper(server, SW_GRAPH_QUERY).queryAndConvert())
    expected = sparqlwrapper_expected("2026-11-24")
    check(rows == expected, f"{SPARQLWRAPPER_GRAPH} holds {rows}, expected {expected}")
    ok("204; the date, the French comment and the integer read back as written")

    step("SPARQLWrapper DELETE/INSERT ... WHERE: POST application/sparql-update with the bearer key")
    with client_quiet("DELETE/INSERT"):
        result = wrapper(server, SW_MODIFY, method=POST, request_method=POSTDIRECTLY, key=API_KEY).query()
    check(result.response.getcode() == 204, f"the update answered {result.response.getcode()}, expected 204")
    rows = json_rows(wrapper(server, SW_GRAPH_QUERY).queryAndConvert())
    expected = sparqlwrapper_expected("2026-11-25")
    check(rows == expected, f"{SPARQLWRAPPER_GRAPH} holds {rows}, expected {expected}")
    ok("204; dcterms:modified moved to 2026-11-25")


# --------------------------------------------------------------------------
# rdflib's SPARQLUpdateStore
# --------------------------------------------------------------------------


def update_store(server: Server, key: str | None = API_KEY, **options: Any) -> SPARQLUpdateStore:
    # rdflib's `auth=` is a (user, password) pair for Basic; extra keyword
    # arguments go to every request, `headers` among them.
    if key is not None:
        options["headers"] = bearer(key)
    return SPARQLUpdateStore(query_endpoint=server.url("/sparql"), update_endpoint=server.url("/sparql"), **options)


def rdflib_queries(server: Server, dprod: Graph, example: Graph) -> None:
    expected_products = local_rows(example, PRODUCTS_QUERY)

    step("rdflib Dataset over SPARQLUpdateStore: SELECT, ASK, CONSTRUCT (XML results by default)")
    store = update_store(server)
    # default_union: the Dataset's default graph is the server's (the union of
    # all graphs); without it rdflib asks for its own urn:x-rdflib:default.
    dataset = Dataset(store=store, default_union=True)
    rows = local_rows(dataset, PRODUCTS_QUERY)
    check(rows == expected_products, f"the products SELECT gave {rows}, expected {expected_products}")
    check(
        bool(dataset.query(PREFIXES + "ASK { ex:orders a dprod:DataProduct }").askAnswer),
        "ASK { ex:orders a dprod:DataProduct } is false through rdflib",
    )
    check(
        not dataset.query(PREFIXES + "ASK { ex:orders a dcat:Dataset }").askAnswer,
        "ASK { ex:orders a dcat:Dataset } is true through rdflib",
    )
    constructed = dataset.query(OUTPUTS_CONSTRUCT).graph
    check(constructed is not None, "the CONSTRUCT through rdflib has no graph")
    expected_graph = plain_graph(example.query(OUTPUTS_CONSTRUCT).graph)  # type: ignore[arg-type]
    same_graph(constructed, expected_graph, "CONSTRUCT through rdflib")
    ok("the products, ASK true and false, the CONSTRUCT graph")

    step("rdflib queries by POST, form POST, and with JSON results")
    for label, options in [
        ("POST", {"method": "POST"}),
        ("POST_FORM", {"method": "POST_FORM"}),
        ("returnFormat json", {"returnFormat": "json"}),
    ]:
        rows = local_rows(Dataset(store=update_store(server, **options), default_union=True), PRODUCTS_QUERY)
        check(rows == expected_products, f"the products SELECT with {label} gave {rows}")
    ok("the same rows each way")

    step(f"rdflib Graph(store, identifier=<{DPROD_GRAPH}>): len, value, membership, subjects")
    graph = Graph(store=store, identifier=URIRef(DPROD_GRAPH))
    check(len(graph) == len(dprod), f"len() of the DPROD graph is {len(graph)}, expected {len(dprod)}")
    label = graph.value(DPROD.DataProduct, RDFS.label)
    check(label == Literal("data product"), f"the label of dprod:DataProduct is {label!r}")
    check((DPROD.outputPort, RDF.type, OWL.ObjectProperty) in graph, "dprod:outputPort is not an ObjectProperty")
    classes = set(graph.subjects(RDF.type, OWL.Class))
    expected_classes = set(dprod.subjects(RDF.type, OWL.Class))
    check(classes == expected_classes, f"the classes are {sorted(classes)}, expected {sorted(expected_classes)}")
    ok(f"{len(graph)} triples, {len(classes)} classes, dprod:DataProduct labelled {str(label)!r}")

    step("rdflib Dataset.graphs(): the named graphs")
    # rdflib adds its own default graph to the list; the others come from the server.
    graphs = {str(g.identifier) for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID}
    check(
        {DPROD_GRAPH, EXAMPLE_GRAPH, SPARQLWRAPPER_GRAPH} <= graphs,
        f"the store's graphs are {sorted(graphs)}",
    )
    ok(f"{len(graphs)} named graphs, DPROD's, the example's and SPARQLWrapper's among them")


def rdflib_updates(server: Server) -> None:
    graph_iri = URIRef(RDFLIB_GRAPH)

    step("rdflib Graph.add without the key: HTTP 401")
    intruder = Graph(store=update_store(server, key=None), identifier=graph_iri)
    try:
        intruder.add((EX.intruder, RDFS.label, Literal("intruder")))
    except urllib.error.HTTPError as err:
        check(err.code == 401, f"the update without the key answered {err.code}, expected 401")
    else:
        raise CheckFailed("an rdflib update without the key did not fail")
    head = http("HEAD", graph_url(server, RDFLIB_GRAPH))
    check(head.status == 404, f"HEAD of {RDFLIB_GRAPH} after the refused update answered {head.status}, expected 404")
    ok("401, nothing written")

    step(f"rdflib Graph(store, identifier=<{RDFLIB_GRAPH}>): add, addN, remove, update")
    store = update_store(server)
    graph = Graph(store=store, identifier=graph_iri)
    graph.add((EX.revenue, DCTERMS.description, Literal("Chiffre d'affaires, jour par jour ✓", lang="fr")))
    graph.addN(
        [
            (EX.revenue, MG.reviewCount, Literal(2), graph),
            (EX.revenue, MG.reviewedOn, Literal("2026-11-24", datatype=XSD.date), graph),
            (EX.revenue, RDFS.seeAlso, EX.orders, graph),
            (EX.revenue, MG.scratch, Literal("to remove"), graph),
            (EX.revenue, MG.scratch, Literal("also to remove"), graph),
        ]
    )
    graph.remove((EX.revenue, RDFS.seeAlso, EX.orders))  # DELETE DATA
    graph.remove((EX.revenue, MG.scratch, None))  # DELETE ... WHERE
    # A graph's update is rewritten by rdflib into GRAPH <identifier> blocks.
    graph.update(PREFIXES + 'INSERT DATA { ex:revenue rdfs:label "Revenue"@en }')
    # An update whose WHERE reads the union of graphs (the default graph).
    Dataset(store=store, default_union=True).update(
        PREFIXES
        + f"""INSERT {{ GRAPH <{RDFLIB_GRAPH}> {{ ?product mg:outputs ?name }} }}
WHERE {{ ?product dprod:outputPort/dprod:isAccessServiceOf/dprod:isDistributionOf/mg:datasetName ?name }}"""
    )
    check_rdflib_graph(server)
    ok(f"{len(rdflib_expected())} triples: the adds, not the removed ones, the rewritten update and the union's WHERE")


def rdflib_expected() -> Graph:
    expected = Graph()
    for triple in [
        (EX.revenue, DCTERMS.description, Literal("Chiffre d'affaires, jour par jour ✓", lang="fr")),
        (EX.revenue, MG.reviewCount, Literal(2)),
        (EX.revenue, MG.reviewedOn, Literal("2026-11-24", datatype=XSD.date)),
        (EX.revenue, RDFS.label, Literal("Revenue", lang="en")),
        (EX.orders, MG.outputs, Literal("sales.public.orders")),
        (EX.revenue, MG.outputs, Literal("finance.daily_revenue")),
    ]:
        expected.add(triple)
    return expected


def check_rdflib_graph(server: Server) -> None:
    expected = rdflib_expected()
    rows = json_rows(
        wrapper(server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{RDFLIB_GRAPH}> {{ ?s ?p ?o }} }}").queryAndConvert()
    )
    got = Graph()
    for s, p, o in rows:
        got.add((s, p, o))  # type: ignore[arg-type]
    same_graph(got, expected, f"{RDFLIB_GRAPH} read with SPARQL")
    through_rdflib = Graph(store=update_store(server), identifier=URIRef(RDFLIB_GRAPH))
    check(len(through_rdflib) == len(expected), f"len() through rdflib is {len(through_rdflib)}")


# --------------------------------------------------------------------------
# Protocol errors with plain HTTP
# --------------------------------------------------------------------------


def protocol_errors(server: Server) -> None:
    step("a malformed query or update: 400 {code: malformed_query}")
    bad = "SELECT ?s WHERE { ?s ?p"
    check_error(
        http("GET", f"{server.url('/sparql')}?{urllib.parse.urlencode({'query': bad})}"),
        400,
        "malformed_query",
        "GET /sparql with a malformed query",
    )
    check_error(
        http("POST", server.url("/sparql"), bad.encode(), {"Content-Type": "application/sparql-query"}),
        400,
        "malformed_query",
        "POST /sparql with a malformed query",
    )
    check_error(
        http(
            "POST",
            server.url("/sparql"),
            b"INSERT DATA { <urn:a> <urn:b> }",
            {"Content-Type": "application/sparql-update"} | bearer(),
        ),
        400,
        "malformed_query",
        "POST /sparql with a malformed update",
    )
    ok("400 malformed_query for GET, POST and an update")

    step("an Accept the server cannot satisfy: 406 {code: not_acceptable}")
    select = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    construct = urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"})
    for url, accept, what in [
        (f"{server.url('/sparql')}?{select}", "text/turtle", "a SELECT as Turtle"),
        (f"{server.url('/sparql')}?{select}", "image/png", "a SELECT as PNG"),
        (f"{server.url('/sparql')}?{construct}", "application/sparql-results+json", "a CONSTRUCT as SPARQL JSON"),
        (graph_url(server, DPROD_GRAPH), "text/csv", "a graph as CSV"),
    ]:
        check_error(http("GET", url, headers={"Accept": accept}), 406, "not_acceptable", what)
    ok("406 for SELECT as Turtle or PNG, CONSTRUCT as SPARQL JSON, a graph as CSV")

    step("other refusals: 415 for a body of another type, 404 for a graph that does not exist")
    check_error(
        http("POST", server.url("/sparql"), b"ASK {}", {"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
        "POST /sparql as text/plain",
    )
    check_error(
        http("GET", graph_url(server, "https://example.com/e2e/graphs/none")),
        404,
        "not_found",
        "GET of a graph that does not exist",
    )
    ok("415, 404")


# --------------------------------------------------------------------------
# Catalog and restart
# --------------------------------------------------------------------------


def check_catalog(server: Server) -> None:
    step("GET /api/v1/products: the catalog reads the products loaded through /store")
    answer = http("GET", f"{server.base_url}/api/v1/products")
    check(answer.status == 200, f"GET /api/v1/products answered {answer.status}: {answer.text()}")
    products = {p.get("id"): p for p in (answer.json() or {}).get("products", [])}
    for product, title, namespace, name in [
        (EX.orders, "Orders", "postgres://sales-db:5432", "sales.public.orders"),
        (EX.revenue, "Daily revenue", "warehouse", "finance.daily_revenue"),
    ]:
        entry = products.get(str(product))
        check(entry is not None, f"the catalog has no product {product}: {sorted(products)}")
        check(entry.get("title") == title, f"{product} has title {entry.get('title')!r}, expected {title!r}")
        outputs = [(d.get("namespace"), d.get("name")) for d in entry.get("outputDatasets") or []]
        check(outputs == [(namespace, name)], f"{product} outputs {outputs}, expected {[(namespace, name)]}")
    ok(f"{len(products)} products, with their titles and output datasets")


def dataset_dump(server: Server) -> set[str]:
    answer = http("GET", server.url("/store"), headers={"Accept": "application/n-quads"})
    check(answer.status == 200, f"GET /store answered {answer.status}: {answer.text()}")
    check(answer.content_type == "application/n-quads", f"GET /store came back as {answer.content_type}")
    return {line for line in answer.body.decode().splitlines() if line.strip()}


def check_after_restart(server: Server, dprod: Graph, example: Graph, before: set[str]) -> None:
    step("after the restart: the same dataset, rebuilt from the log")
    after = dataset_dump(server)
    if after != before:
        lost, gained = sorted(before - after)[:5], sorted(after - before)[:5]
        raise CheckFailed(f"the dataset changed across the restart: lost e.g. {lost}; gained e.g. {gained}")
    ok(f"{len(after)} quads, identical")

    step("after the restart: DPROD, the example and both clients' updates, as the clients see them")
    same_graph(fetch_graph(server, DPROD_GRAPH), dprod, "the DPROD graph after the restart")
    same_graph(fetch_graph(server, EXAMPLE_GRAPH), example, "the example graph after the restart")
    rows = json_rows(wrapper(server, SW_GRAPH_QUERY).queryAndConvert())
    expected = sparqlwrapper_expected("2026-11-25")
    check(rows == expected, f"{SPARQLWRAPPER_GRAPH} holds {rows} after the restart, expected {expected}")
    check_rdflib_graph(server)
    with client_quiet("SELECT after the restart"):
        rows = json_rows(wrapper(server, TERMS_QUERY).queryAndConvert())
    check(rows == local_rows(dprod, TERMS_QUERY), "DPROD's terms differ after the restart")
    ok("DPROD, the example, SPARQLWrapper's and rdflib's graphs")


# --------------------------------------------------------------------------


def checks(server: Server) -> None:
    check(
        DPROD_ONTOLOGY.is_file(),
        f"the DPROD ontology is missing: expected {DPROD_ONTOLOGY} "
        "(the shared material, checked out next to the repository)",
    )
    dprod_text = DPROD_ONTOLOGY.read_bytes()
    dprod = Graph()
    dprod.parse(data=dprod_text, format="turtle", publicID=DPROD_GRAPH)
    example_dataset = Dataset()
    example_dataset.parse(data=EXAMPLE_TRIG, format="trig")
    example = plain_graph(example_dataset.graph(URIRef(EXAMPLE_GRAPH)))

    step("start meshgraph serve --api-key ... and wait for GET /health")
    server.start()
    ok(server.base_url)
    load_documents(server, dprod_text, dprod, example)
    graph_store_writes(server)
    sparqlwrapper_queries(server, dprod, example)
    sparqlwrapper_updates(server)
    rdflib_queries(server, dprod, example)
    rdflib_updates(server)
    protocol_errors(server)
    check_catalog(server)
    before = dataset_dump(server)
    check_stops_cleanly(server)

    step("restart on the same data directory")
    server.start()
    ok(server.base_url)
    check_after_restart(server, dprod, example, before)


if __name__ == "__main__":
    usage = __doc__.strip().splitlines()[2]
    sys.exit(main("sparql_clients", "SPARQL clients (SPARQLWrapper, rdflib)", ["--api-key", API_KEY], checks, usage))
