import { getOperationName, stringifyDocument } from '@urql/core';
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
 * src/gql/graphql.ts), printed on one line.
 */
function prefetchRolePage(endpoint: string): Plugin {
  const operationName = getOperationName(RolePageDocument);
  const query = stringifyDocument(RolePageDocument).replace(/\s+/g, ' ').trim();
  const script = `(function () {
  var m = location.pathname.match(/^\\/roles\\/([^/]+)\\/?$/);
  if (!m || !window.fetch) return;
  var slug, token = null;
  try { slug = decodeURIComponent(m[1]); token = localStorage.getItem(${JSON.stringify(TOKEN_KEY)}); } catch (e) { return; }
  var headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  window.__prepRolePrefetch = {
    slug: slug,
    token: token,
    response: fetch(${JSON.stringify(endpoint)}, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ operationName: ${JSON.stringify(operationName)}, query: ${JSON.stringify(query)}, variables: { slug: slug } })
    })
  };
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
