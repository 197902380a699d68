// Talking to the server: REST under /api/v1, GraphQL and SPARQL. Every call
// throws an `ApiError` carrying the server's `{code, message}` (REST),
// `extensions.code` (GraphQL) or the status, so pages can show what went wrong.

/** A failed request. */
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: the status says enough.
  }
  return new ApiError(body?.code || `http_${response.status}`, body?.message || response.statusText, response.status);
}

/** `GET /api/v1{path}?{params}` as JSON. */
export async function get(path, params = {}) {
  const response = await fetch(url(path, params), { headers: { Accept: 'application/json' } });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** `GET /api/v1{path}` as text with another media type (CSV). */
export async function getText(path, params, accept) {
  const response = await fetch(url(path, params), { headers: { Accept: accept } });
  if (!response.ok) throw await failure(response);
  return response.text();
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.append(key, value);
  }
  const text = query.toString();
  return `/api/v1${path}${text ? `?${text}` : ''}`;
}

/** A path segment, percent-encoded (slashes and colons too, as the API wants). */
export const seg = encodeURIComponent;

/** A GraphQL query; resolves to `data`, throws the first error. */
export async function graphql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw await failure(response);
  const body = await response.json();
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new ApiError(first.extensions?.code || 'graphql_error', first.message, response.status);
  }
  return body.data;
}

/** A SPARQL query; resolves to the SPARQL JSON results (SELECT, ASK) or,
 * for CONSTRUCT and DESCRIBE, to `{text}` in Turtle. */
export async function sparql(query) {
  const response = await fetch('/sparql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/sparql-query', Accept: 'application/sparql-results+json, text/turtle;q=0.9' },
    body: query,
  });
  if (!response.ok) throw await failure(response);
  if ((response.headers.get('Content-Type') || '').includes('json')) return response.json();
  return { text: await response.text() };
}
