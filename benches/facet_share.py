#!/usr/bin/env python3
"""How much of an OpenLineage workload's bytes are facets, and how many of
those bytes a log that stored each distinct facet once would still write.

Every event is logged whole, LZ4-compressed, and compressing it is the
largest single cost of accepting an event on the request's thread (see the
ingest benchmark's breakdown). Facets repeat from run to run (a table's
schema, a job's SQL and column lineage): this measures what a log keeping
each distinct facet text once would leave to compress.

Usage (by hand, not from CI; the standard library is enough):

    meshgraph generate --jobs 100 --datasets 250 --columns 20-50 --days 100 \
        -o /tmp/workload.ndjson
    python3 benches/facet_share.py /tmp/workload.ndjson [EVENTS]

EVENTS (default 20000) is how many events of the file are read: the ingest
benchmark's workload is 20,000 events of the same generator and sizes.
Facets are measured re-serialized without spaces, as the generator writes
them, so the figures are the generator's bytes within a few per cent.
"""

from __future__ import annotations

import hashlib
import json
import sys


def facet_texts(event: dict) -> list[str]:
    """The JSON text of every facet of a run, job or dataset event."""
    holders: list[tuple[dict, str]] = [
        (event.get("run") or {}, "facets"),
        (event.get("job") or {}, "facets"),
        (event.get("dataset") or {}, "facets"),
    ]
    for io in event.get("inputs") or []:
        holders += [(io, "facets"), (io, "inputFacets")]
    for io in event.get("outputs") or []:
        holders += [(io, "facets"), (io, "outputFacets")]
    return [
        json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        for holder, key in holders
        for value in (holder.get(key) or {}).values()
    ]


def main() -> None:
    path = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    seen: set[bytes] = set()
    events = total = facets = new = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if events == limit:
                break
            events += 1
            total += len(line.rstrip("\n").encode())
            for text in facet_texts(json.loads(line)):
                size = len(text.encode())
                facets += size
                digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
                if digest not in seen:
                    seen.add(digest)
                    new += size
    mb = 1e6
    print(f"{events} events, {total / mb:.1f} MB")
    print(f"facets: {facets / mb:.1f} MB ({facets / total:.0%} of the bytes), {len(seen)} distinct")
    print(f"distinct facet text: {new / mb:.1f} MB ({new / facets:.1%} of the facet bytes)")
    rest = total - facets + new
    print(f"left to compress with each facet logged once: {rest / mb:.1f} MB ({rest / total:.0%} of now)")


if __name__ == "__main__":
    main()
