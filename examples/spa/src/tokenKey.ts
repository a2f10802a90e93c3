// The localStorage key of the session token, on its own so that vite.config.ts (run
// by Node, where config.ts's browser globals do not exist) can put the same key into
// index.html's inline script.

/** localStorage key of the session token, shared by every tab of this origin. */
export const TOKEN_KEY = 'prep.token';
