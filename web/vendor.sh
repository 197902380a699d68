#!/usr/bin/env bash
# Reproduces web/vendor/: the third-party files the web UI serves, copied
# byte for byte out of pinned npm packages, each with its licence.
#
#   bash web/vendor.sh
#
# Needs npm (only to fetch the tarballs: nothing is installed or built).
# Each tarball is checked against the integrity hash pinned below before a
# file is taken out of it, so a rerun gives the committed files exactly.
#
# - cytoscape: renders and navigates the lineage graphs (the UI lays them
#   out itself, web/js/layout.js).
# - graphiql with react and react-dom (its UMD builds need React 18): the
#   GraphiQL page at GET /graphql, served from here rather than a CDN.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
VENDOR="$PWD/vendor"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/meshgraph-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# package@version  integrity (npm's dist.integrity)  files to take (path in the package -> name in vendor/<package>/)
fetch() {
    local spec=$1 integrity=$2
    shift 2
    local name=${spec%@*}
    (cd "$WORK" && npm pack --silent "$spec" >/dev/null)
    local tarball="$WORK/${name}-${spec##*@}.tgz"
    local actual
    actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    if [[ "$actual" != "$integrity" ]]; then
        echo "$spec: integrity $actual, expected $integrity" >&2
        exit 1
    fi
    mkdir -p "$WORK/$name" "$VENDOR/$name"
    tar -xzf "$tarball" -C "$WORK/$name"
    for file in "$@"; do
        cp "$WORK/$name/package/$file" "$VENDOR/$name/$(basename "$file")"
    done
    echo "$spec"
}

rm -rf "$VENDOR"
fetch cytoscape@3.34.4 \
    'sha512-msY99tMY8iWTg+sIPGfSqDcPNOt4xcj+v/K/7qUFaCUxxlqnMkUYLBjRUzn9W5CU/R2hrmtJa5+UtovrEM2ctg==' \
    dist/cytoscape.esm.min.mjs LICENSE
fetch graphiql@3.8.3 \
    'sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==' \
    graphiql.min.js graphiql.min.css LICENSE
fetch react@18.3.1 \
    'sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==' \
    umd/react.production.min.js LICENSE
fetch react-dom@18.3.1 \
    'sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==' \
    umd/react-dom.production.min.js LICENSE
