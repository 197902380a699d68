#!/usr/bin/env python3
"""End-to-end check: the real openlineage-python client against a real meshgraph.

Usage: python tests/e2e/openlineage_client.py PATH/TO/meshgraph

Starts the meshgraph binary on a free loopback port with a fresh data
directory and an API key, emits a START and a COMPLETE event for one job with
`openlineage-python`'s HTTP transport (gzip, API key), then reads the lineage
back through the Marquez-compatible REST API with plain urllib. It also checks
that a write without the key is refused and that a restart rebuilds the same
graph from the durable log.

The server is always stopped (SIGTERM, then SIGKILL after a timeout), even
when a check fails. Exit status 0 means every check passed; on failure the
failed check and the tail of the server log are printed.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any
from _harness import Server, check, check_stops_cleanly, main, ok, step

# The client reads OPENLINEAGE_* variables (URL, disabled, config file): keep
# this check independent of whatever the calling shell has set.
for _var in [v for v in os.environ if v.startswith("OPENLINEAGE")]:
    del os.environ[_var]

from openlineage.client import OpenLineageClient  # noqa: E402
from openlineage.client.event_v2 import (  # noqa: E402
    InputDataset,
    Job,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
)
from openlineage.client.facet_v2 import (  # noqa: E402
    column_lineage_dataset,
    job_type_job,
    schema_dataset,
    sql_job,
)
from openlineage.client.transport.http import (  # noqa: E402
    ApiKeyTokenProvider,
    HttpCompression,
    HttpConfig,
    HttpTransport,
)
from openlineage.client.uuid import generate_new_uuid  # noqa: E402

API_KEY = "e2e-secret-key"
NAMESPACE = "e2e-warehouse"
INPUT = "public.orders"
OUTPUT = "analytics.daily_revenue"
JOB = "etl.daily_revenue"
PRODUCER = "https://github.com/meshgraph/meshgraph/tree/main/tests/e2e"

HTTP_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------
# Plain HTTP (urllib): what a curl user or Marquez UI would see
# --------------------------------------------------------------------------


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Sends a request; returns (status, parsed JSON body or raw text)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    if not raw:
        return status, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def get_json(base_url: str, path: str) -> Any:
    status, body = request("GET", base_url + path)
    check(status == 200, f"GET {path} answered {status}, expected 200: {short(body)}")
    return body


def short(value: Any, limit: int = 600) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."


def quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


# --------------------------------------------------------------------------
# The events
# --------------------------------------------------------------------------


def http_client(base_url: str) -> OpenLineageClient:
    """The client as a pipeline would configure it in code."""
    config = HttpConfig(
        url=base_url,
        endpoint="api/v1/lineage",
        timeout=HTTP_TIMEOUT_S,
        auth=ApiKeyTokenProvider({"apiKey": API_KEY}),
        compression=HttpCompression.GZIP,
    )
    return OpenLineageClient(transport=HttpTransport(config))


def dict_configured_client(base_url: str) -> OpenLineageClient:
    """The same client configured as in openlineage.yml (the README shows this form)."""
    return OpenLineageClient(
        config={
            "transport": {
                "type": "http",
                "url": base_url,
                "endpoint": "api/v1/lineage",
                "timeout": HTTP_TIMEOUT_S,
                "auth": {"type": "api_key", "apiKey": API_KEY},
                "compression": "gzip",
            }
        }
    )


INPUT_FIELDS = [("order_id", "BIGINT"), ("order_date", "DATE"), ("amount", "DECIMAL(12,2)"), ("status", "VARCHAR")]
OUTPUT_FIELDS = [("day", "DATE"), ("revenue", "DECIMAL(14,2)")]


def schema(fields: list[tuple[str, str]]) -> schema_dataset.SchemaDatasetFacet:
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields]
    )


def column_lineage() -> column_lineage_dataset.ColumnLineageDatasetFacet:
    def source(field: str, kind: str, subtype: str, description: str) -> column_lineage_dataset.InputField:
        return column_lineage_dataset.InputField(
            namespace=NAMESPACE,
            name=INPUT,
            field=field,
            transformations=[
                column_lineage_dataset.Transformation(
                    type=kind, subtype=subtype, description=description, masking=False
                )
            ],
        )

    return column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            "day": column_lineage_dataset.Fields(
                inputFields=[source("order_date", "DIRECT", "IDENTITY", "order_date")]
            ),
            "revenue": column_lineage_dataset.Fields(
                inputFields=[source("amount", "DIRECT", "AGGREGATION", "sum(amount)")]
            ),
        },
        dataset=[source("status", "INDIRECT", "FILTER", "status = 'paid'")],
    )


SQL = (
    "INSERT INTO analytics.daily_revenue SELECT order_date AS day, sum(amount) AS revenue "
    "FROM public.orders WHERE status = 'paid' GROUP BY order_date"
)


def run_event(state: RunState, run_id: str, event_time: datetime) -> RunEvent:
    return RunEvent(
        eventType=state,
        eventTime=event_time.isoformat(),
        run=Run(runId=run_id),
        job=Job(
            namespace=NAMESPACE,
            name=JOB,
            facets={
                "jobType": job_type_job.JobTypeJobFacet(
                    processingType="BATCH", integration="E2E", jobType="QUERY"
                ),
                "sql": sql_job.SQLJobFacet(query=SQL),
            },
        ),
        producer=PRODUCER,
        inputs=[InputDataset(namespace=NAMESPACE, name=INPUT, facets={"schema": schema(INPUT_FIELDS)})],
        outputs=[
            OutputDataset(
                namespace=NAMESPACE,
                name=OUTPUT,
                facets={"schema": schema(OUTPUT_FIELDS), "columnLineage": column_lineage()},
            )
        ],
    )


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------


def watch(transport: HttpTransport) -> list[Any]:
    """Records the responses the transport's own session gets, to see what it sent."""
    responses: list[Any] = []
    transport.session.hooks["response"].append(lambda resp, *_args, **_kwargs: responses.append(resp))
    return responses


def check_sent(responses: list[Any]) -> None:
    check(len(responses) == 1, f"the client made {len(responses)} requests, expected 1")
    resp = responses[0]
    sent = resp.request
    check(resp.status_code == 201, f"meshgraph answered {resp.status_code}, expected 201: {resp.text[:300]}")
    check(sent.headers.get("Content-Encoding") == "gzip", f"sent without gzip: {dict(sent.headers)}")
    check(bytes(sent.body[:2]) == b"\x1f\x8b", "the body sent is not gzip")
    check(sent.headers.get("Authorization") == f"Bearer {API_KEY}", "the API key was not sent as a bearer token")


def emit_events(base_url: str) -> str:
    run_id = str(generate_new_uuid())
    started = datetime.now(timezone.utc) - timedelta(minutes=5)

    step("START with OpenLineageClient(transport=HttpTransport(HttpConfig(..., gzip, api key)))")
    client = http_client(base_url)
    transport = client.transport
    check(isinstance(transport, HttpTransport), f"client uses {type(transport).__name__}, not HttpTransport")
    check(transport.compression == HttpCompression.GZIP, "the transport does not gzip")
    sent = watch(transport)
    client.emit(run_event(RunState.START, run_id, started))
    client.close()
    check_sent(sent)
    ok(f"START of run {run_id} accepted (gzip body, bearer key, 201)")

    step("COMPLETE with OpenLineageClient(config={'transport': {'type': 'http', ...}})")
    client = dict_configured_client(base_url)
    transport = client.transport
    check(isinstance(transport, HttpTransport), f"client uses {type(transport).__name__}, not HttpTransport")
    check(transport.compression == HttpCompression.GZIP, "the dict-configured transport does not gzip")
    check(
        isinstance(transport.config.auth, ApiKeyTokenProvider),
        f"the dict-configured auth is {type(transport.config.auth).__name__}",
    )
    sent = watch(transport)
    client.emit(run_event(RunState.COMPLETE, run_id, started + timedelta(minutes=4)))
    client.close()
    check_sent(sent)
    ok("COMPLETE accepted (gzip body, bearer key, 201)")
    return run_id


def check_health(base_url: str) -> dict[str, int]:
    step("GET /health reports the ingested lineage")
    health = get_json(base_url, "/health")
    lineage = health.get("lineage") if isinstance(health, dict) else None
    check(isinstance(lineage, dict), f"/health has no lineage counts: {short(health)}")
    nodes, edges = lineage.get("nodes", 0), lineage.get("edges", 0)
    # Two datasets and a job at least, joined by a read and a write edge.
    check(nodes >= 3 and edges >= 2, f"/health counts {nodes} nodes and {edges} edges, expected >= 3 and >= 2")
    ok(f"{nodes} nodes, {edges} edges")
    return {"nodes": nodes, "edges": edges}


def check_unauthorized_write(base_url: str) -> None:
    step("a write without the API key (and with a wrong one) is refused with 401")
    event = {
        "eventType": "START",
        "eventTime": datetime.now(timezone.utc).isoformat(),
        "run": {"runId": str(generate_new_uuid())},
        "job": {"namespace": NAMESPACE, "name": "intruder"},
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    }
    body = json.dumps(event).encode()
    for label, headers in [
        ("no Authorization header", {"Content-Type": "application/json"}),
        ("wrong key", {"Content-Type": "application/json", "Authorization": "Bearer not-the-key"}),
        (
            "no key, gzip body",
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
    ]:
        payload = gzip.compress(body) if headers.get("Content-Encoding") == "gzip" else body
        status, answer = request("POST", f"{base_url}/api/v1/lineage", payload, headers)
        check(status == 401, f"POST /api/v1/lineage with {label} answered {status}, expected 401: {short(answer)}")
        check(
            isinstance(answer, dict) and answer.get("code") == "unauthorized" and answer.get("message"),
            f"the 401 body is not {{code: unauthorized, message}}: {short(answer)}",
        )
    ok("401 {code: unauthorized}")


def node_ref(kind: str, name: str) -> str:
    return f"{kind}:{NAMESPACE}:{name}"


def check_lineage_graph(base_url: str) -> None:
    output_id, input_id, job_id = node_ref("dataset", OUTPUT), node_ref("dataset", INPUT), node_ref("job", JOB)
    path = f"/api/v1/lineage?nodeId={quote(output_id)}&depth=20"
    step(f"GET {path}")
    answer = get_json(base_url, path)
    check(isinstance(answer, dict) and isinstance(answer.get("graph"), list), f"no graph list: {short(answer)}")
    nodes = {}
    for node in answer["graph"]:
        missing = [k for k in ("id", "type", "data", "inEdges", "outEdges") if k not in node]
        check(not missing, f"a lineage node lacks {missing}: {short(node)}")
        nodes[node["id"]] = node
    for node_id, kind in [(input_id, "DATASET"), (job_id, "JOB"), (output_id, "DATASET")]:
        check(node_id in nodes, f"the graph has no node {node_id}; it has {sorted(nodes)}")
        check(nodes[node_id]["type"] == kind, f"{node_id} has type {nodes[node_id]['type']}, expected {kind}")

    def edges(node_id: str, direction: str) -> set[tuple[str, str]]:
        return {(e.get("origin"), e.get("destination")) for e in nodes[node_id][direction]}

    read, write = (input_id, job_id), (job_id, output_id)
    check(read in edges(input_id, "outEdges"), f"{input_id} outEdges lack {read}: {edges(input_id, 'outEdges')}")
    check(read in edges(job_id, "inEdges"), f"{job_id} inEdges lack {read}: {edges(job_id, 'inEdges')}")
    check(write in edges(job_id, "outEdges"), f"{job_id} outEdges lack {write}: {edges(job_id, 'outEdges')}")
    check(write in edges(output_id, "inEdges"), f"{output_id} inEdges lack {write}: {edges(output_id, 'inEdges')}")
    ok(f"{input_id} -> {job_id} -> {output_id}")

    data = nodes[output_id]["data"]
    check(isinstance(data, dict), f"{output_id} data is not an object: {short(data)}")
    check(
        data.get("namespace") == NAMESPACE and data.get("name") == OUTPUT,
        f"{output_id} data names {data.get('namespace')!r}/{data.get('name')!r}",
    )
    check_fields(f"lineage node {output_id}", data.get("fields"), OUTPUT_FIELDS)
    job_data = nodes[job_id]["data"]
    check(
        isinstance(job_data, dict) and job_data.get("name") == JOB,
        f"{job_id} data does not name the job: {short(job_data)}",
    )
    ok("node data: dataset fields and job name")


def check_fields(where: str, fields: Any, expected: list[tuple[str, str]]) -> None:
    check(isinstance(fields, list), f"{where} has no fields list: {short(fields)}")
    got = [(f.get("name"), f.get("type")) for f in fields]
    check(got == expected, f"{where} fields are {got}, expected {expected}")


def check_job(base_url: str, run_id: str) -> None:
    path = f"/api/v1/namespaces/{quote(NAMESPACE)}/jobs/{quote(JOB)}"
    step(f"GET {path}")
    job = get_json(base_url, path)
    check(job.get("name") == JOB and job.get("namespace") == NAMESPACE, f"wrong job: {short(job)}")
    inputs = [(d.get("namespace"), d.get("name")) for d in job.get("inputs") or []]
    outputs = [(d.get("namespace"), d.get("name")) for d in job.get("outputs") or []]
    check(inputs == [(NAMESPACE, INPUT)], f"job inputs are {inputs}, expected [{(NAMESPACE, INPUT)}]")
    check(outputs == [(NAMESPACE, OUTPUT)], f"job outputs are {outputs}, expected [{(NAMESPACE, OUTPUT)}]")
    latest = job.get("latestRun")
    check(isinstance(latest, dict), f"job has no latestRun: {short(job)}")
    check(latest.get("id") == run_id, f"latestRun id is {latest.get('id')!r}, expected {run_id}")
    check(latest.get("state") == "COMPLETED", f"latestRun state is {latest.get('state')!r}, expected COMPLETED")
    ok(f"inputs {inputs}, outputs {outputs}, latestRun {run_id} COMPLETED")


def check_dataset(base_url: str) -> None:
    path = f"/api/v1/namespaces/{quote(NAMESPACE)}/datasets/{quote(OUTPUT)}"
    step(f"GET {path}")
    dataset = get_json(base_url, path)
    check(dataset.get("name") == OUTPUT, f"wrong dataset: {short(dataset)}")
    check_fields(f"dataset {OUTPUT}", dataset.get("fields"), OUTPUT_FIELDS)
    ok(f"fields {[n for n, _ in OUTPUT_FIELDS]}")
    facets = dataset.get("facets") or {}
    lineage = facets.get("columnLineage")
    check(isinstance(lineage, dict), f"dataset facets lack columnLineage: {sorted(facets)}")
    revenue = (lineage.get("fields") or {}).get("revenue") or {}
    sources = revenue.get("inputFields") or []
    check(
        len(sources) == 1 and sources[0].get("field") == "amount" and sources[0].get("name") == INPUT,
        f"columnLineage revenue sources are {short(sources)}",
    )
    transformations = sources[0].get("transformations") or []
    check(
        transformations
        and transformations[0].get("type") == "DIRECT"
        and transformations[0].get("subtype") == "AGGREGATION",
        f"the revenue transformation came back as {short(transformations)}",
    )
    ok("columnLineage facet: revenue <- orders.amount, DIRECT/AGGREGATION")


# --------------------------------------------------------------------------


def checks(server: Server) -> None:
    step("start meshgraph serve --api-key ... and wait for GET /health")
    server.start()
    ok(server.base_url)
    run_id = emit_events(server.base_url)
    counts = check_health(server.base_url)
    check_unauthorized_write(server.base_url)
    check_lineage_graph(server.base_url)
    check_job(server.base_url, run_id)
    check_dataset(server.base_url)
    check_stops_cleanly(server)

    step("restart on the same data directory: the graph is rebuilt from the log")
    server.start()
    check(check_health(server.base_url) == counts, f"counts after restart differ from {counts}")
    check_job(server.base_url, run_id)


if __name__ == "__main__":
    usage = __doc__.strip().splitlines()[2]
    sys.exit(main("openlineage_client", "openlineage-python client", ["--api-key", API_KEY], checks, usage))
