import { createHash } from 'node:crypto';

import { formatDocument, getOperationName, stringifyDocument } from '@urql/core';
import { defineConfig, loadEnv, type Plugin } from 'vite';

import { RolePageDocument } from './src/gql/rolePage';
import { TOKEN_KEY } from './src/tokenKey';

/**
 * Puts a small inline script into index.html's <head> that, on a role page
 * (`/roles/<slug>`), sends the role page's query at once, in parallel with the
 * app's script instead of after it has loaded and run; `src/prefetch.ts` hands
 * the answer to urql. It sends the session token the app would send.
 *
 * The query is the app's own (src/documents/rolePage.graphql, as generated into
 * src/gql/graphql.ts). Signed out, it goes as the app's own request would
 * (src/client.ts): a GET naming the document by its persisted-query hash, the
 * hash urql's persisted exchange computes (of the document as urql sends it), in the
 * same URL, so the answer can come from the browser's or a shared HTTP cache; if
 * the server does not know the hash yet, the app's persisted exchange sends the
 * text. Signed in (or with no Web Crypto, outside secure contexts) it is a POST
 * of the text printed on one line.
 */
function prefetchRolePage(endpoint: string): Plugin {
  const operationName = getOperationName(RolePageDocument);
  const query = stringifyDocument(RolePageDocument).replace(/\s+/g, ' ').trim();
  // The document urql sends and hashes: its cache exchange adds `__typename` first.
  const sent = stringifyDocument(formatDocument(RolePageDocument));
  // Keys sorted, as urql writes JSON into a URL.
  const extensions = JSON.stringify({
    persistedQuery: { sha256Hash: createHash('sha256').update(sent).digest('hex'), version: 1 },
  });
  const script = `(function () {
  var m = location.pathname.match(/^\\/roles\\/([^/]+)\\/?$/);
  if (!m || !window.fetch) return;
  var slug, token = null;
  try { slug = decodeURIComponent(m[1]); token = localStorage.getItem(${JSON.stringify(TOKEN_KEY)}); } catch (e) { return; }
  var accept = 'application/graphql-response+json, application/json';
  var response;
  if (!token && window.crypto && window.crypto.subtle) {
    var url = new URL(${JSON.stringify(endpoint)}, location.href);
    url.searchParams.set('operationName', ${JSON.stringify(operationName)});
    url.searchParams.set('variables', JSON.stringify({ slug: slug }));
    url.searchParams.set('extensions', ${JSON.stringify(extensions)});
    response = fetch(url.href, { headers: { accept: accept } });
  } else {
    // Signed in, or no Web Crypto (the app then sends no hash either): a POST.
    var headers = { 'content-type': 'application/json', accept: accept };
    if (token) headers.authorization = 'Bearer ' + token;
    response = fetch(${JSON.stringify(endpoint)}, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ operationName: ${JSON.stringify(operationName)}, query: ${JSON.stringify(query)}, variables: { slug: slug } })
    });
  }
  window.__prepRolePrefetch = { slug: slug, token: token, response: response };
})();`;
  return {
    name: 'prefetch-role-page',
    transformIndexHtml: () => [{ tag: 'script', children: script, injectTo: 'head-prepend' }],
  };
}

// No framework plugin: Vite compiles TSX itself, using tsconfig's "jsx": "react-jsx".
export default defineConfig(({ mode }) => ({
  // The same endpoint as the app's (src/config.ts): VITE_GRAPHQL_URL, else same origin.
  plugins: [prefetchRolePage(loadEnv(mode, '.', 'VITE_').VITE_GRAPHQL_URL ?? '/graphql')],
  server: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for server components; a
        // browser-only bundle has no use for the directive, so dropping it is right.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
}));
