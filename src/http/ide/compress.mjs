// Runs after `npm ci --prefix src/http/ide`: writes a `.br` and a `.gz` file
// beside each IDE asset the server serves (the list in mod.rs, ASSETS), so they
// are compressed once, here, and never per request. Images are left alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const FILES = [
  'react/umd/react.production.min.js',
  'react-dom/umd/react-dom.production.min.js',
  'graphiql/graphiql.min.js',
  'graphiql/graphiql.min.css',
  'graphql-playground-react/build/static/js/middleware.js',
  'graphql-playground-react/build/static/css/middleware.css',
];

const root = join(import.meta.dirname, 'node_modules');
for (const file of FILES) {
  const path = join(root, file);
  const body = readFileSync(path);
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  console.log(`${file}: ${body.length} -> br ${br.length}`);
}
