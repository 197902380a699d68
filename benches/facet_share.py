#!/usr/bin/env python3
"""How much of an OpenLineage workload's bytes are facets, and how many of
those bytes a log that stored each distinct facet once would still write.

Facets repeat from run to run (a table's schema, a job's SQL and column
lineage): this measures what a log keeping each distinct facet text once
leaves to compress, and how the large facets, which the log stores apart
and recognises by their first bytes, group by those bytes.

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
from collections import Counter

# The size from which the log stores a facet apart (`APART_MIN`).
LARGE = 512


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
    large: set[str] = set()
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
                if size >= LARGE:
                    large.add(text)
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
    # The log looks a known facet up by its first bytes (see src/log/record.rs).
    for prefix in (256, 512):
        groups = Counter(text.encode()[:prefix] for text in large)
        print(
            f"{len(large)} distinct facets of {LARGE} bytes or more: {len(groups)} groups "
            f"by their first {prefix} bytes, the largest of {max(groups.values(), default=0)}"
        )


if __name__ == "__main__":
    main()
