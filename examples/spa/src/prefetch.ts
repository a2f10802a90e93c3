// The role page's answer, requested by index.html's inline script before the
// app's script has even loaded (vite.config.ts writes that script). The first
// request urql makes for that same role takes this answer instead of asking again.

import { getOperationName } from '@urql/core';

import { RolePageDocument } from './gql/rolePage';

/** The operation name the early request and urql's both send ("RolePage"). */
const ROLE_PAGE_OPERATION = getOperationName(RolePageDocument);

interface RolePrefetch {
  slug: string;
  /** Whether it was sent signed in (with the token the app reads at start). */
  token: string | null;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __prepRolePrefetch?: RolePrefetch;
  }
}

function rolePageSlug(input: RequestInfo | URL, init?: RequestInit): string | null {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, window.location.href);
  let operationName = url.searchParams.get('operationName');
  let variables = url.searchParams.get('variables');
  if (init?.body && typeof init.body === 'string') {
    try {
      const body = JSON.parse(init.body) as { operationName?: string; variables?: unknown };
      operationName = body.operationName ?? null;
      variables = JSON.stringify(body.variables ?? {});
    } catch {
      return null;
    }
  }
  if (operationName !== ROLE_PAGE_OPERATION || !variables) return null;
  try {
    const slug = (JSON.parse(variables) as { slug?: unknown }).slug;
    return typeof slug === 'string' ? slug : null;
  } catch {
    return null;
  }
}

/**
 * `fetch` for urql: the role page's query for the role the inline script asked
 * about (once, and only with the same token) gets that answer; anything else goes out.
 */
export function prefetchingFetch(token: string | null): typeof fetch {
  return (input, init) => {
    const prefetch = window.__prepRolePrefetch;
    if (prefetch && prefetch.token === token && rolePageSlug(input, init) === prefetch.slug) {
      window.__prepRolePrefetch = undefined;
      // A failed early request is simply made again.
      return prefetch.response.then((r) => (r.ok ? r : fetch(input, init)), () => fetch(input, init));
    }
    return fetch(input, init);
  };
}

