// Shared by the IDE pages (inlined into each by `mod.rs`): public reads as GET by
// persisted-query hash. `prepPersistedGetFetch(baseFetch)` returns a `fetch` that sends
// each query without an Authorization header as a GET naming the document by its hash
// and everything else through `baseFetch` unchanged.
(() => {
  // Queries sent without an Authorization header go out as GET naming the document by its
  // persisted-query hash (Apollo's APQ over GET; the text follows once if the server does
  // not know the hash yet): the server answers a GET of public content with an ETag and
  // `Cache-Control: public`, so the browser and a shared cache can keep it. Mutations,
  // subscriptions, and anything with Authorization (private to the server whatever the
  // method) go as before.
  const GET_URL_LIMIT = 2047;
  const hashOf = async (text) => {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  };
  // The kind of the operation to run ('query', 'mutation', 'subscription'), or null when
  // unsure: the document's top-level definitions, outside strings, comments and braces.
  const operationKind = (document, operationName) => {
    const text = document.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\])*"|#[^\n]*/g, ' ');
    const operations = [];
    const token = /[{}]|[_A-Za-z][_0-9A-Za-z]*/g;
    let depth = 0;
    let words = [];
    for (let m = token.exec(text); m; m = token.exec(text)) {
      if (m[0] === '{') {
        if (depth === 0) {
          const [first, second] = words;
          if (first === undefined) operations.push({ kind: 'query', name: null });
          else if (['query', 'mutation', 'subscription'].includes(first)) {
            operations.push({ kind: first, name: second ?? null });
          }
          words = [];
        }
        depth += 1;
      } else if (m[0] === '}') {
        depth -= 1;
      } else if (depth === 0) {
        words.push(m[0]);
      }
    }
    const chosen = operationName ? operations.filter((o) => o.name === operationName) : operations;
    return chosen.length === 1 ? chosen[0].kind : null;
  };
  window.prepPersistedGetFetch = (baseFetch) => async (input, init) => {
    let body;
    try {
      body = JSON.parse(init?.body);
    } catch {
      return baseFetch(input, init);
    }
    const headers = new Headers(init?.headers);
    if (init?.method !== 'POST' || headers.has('authorization') || !window.crypto?.subtle
      || typeof body?.query !== 'string' || operationKind(body.query, body.operationName) !== 'query') {
      return baseFetch(input, init);
    }
    const extensions = { ...body.extensions, persistedQuery: { version: 1, sha256Hash: await hashOf(body.query) } };
    headers.delete('content-type');
    const get = (withText) => {
      const target = new URL(input, location.href);
      if (withText) target.searchParams.set('query', body.query);
      if (body.operationName) target.searchParams.set('operationName', body.operationName);
      if (body.variables) target.searchParams.set('variables', JSON.stringify(body.variables));
      target.searchParams.set('extensions', JSON.stringify(extensions));
      if (target.href.length > GET_URL_LIMIT) return null;
      return baseFetch(target.href, { ...init, method: 'GET', body: undefined, headers });
    };
    const byHash = await get(false);
    if (!byHash) return baseFetch(input, { ...init, body: JSON.stringify({ ...body, extensions }) });
    const answer = await byHash.clone().json().catch(() => null);
    const missed = answer?.errors?.some?.((e) => e?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND');
    if (!missed) return byHash;
    // Once more with the text, which the server stores under its hash (a POST when the
    // URL would be too long: it stores it too).
    return (await get(true)) ?? baseFetch(input, { ...init, body: JSON.stringify({ ...body, extensions }) });
  };
})();
