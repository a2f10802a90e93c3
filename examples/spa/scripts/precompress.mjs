// Writes a `.br` and a `.gz` file beside every compressible file of the build
// (`dist/`), so the server sends them as they are to clients that accept them:
// compressed once, at build time, at the highest levels, never per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(html|js|mjs|css|svg|json|txt|map|ico)$/;
// Below this, compressing saves too little to be worth a request's bytes.
const MIN_BYTES = 1024;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

const root = process.argv[2] ?? 'dist';
let before = 0;
let afterBr = 0;
let afterGz = 0;
for (const path of files(root)) {
  if (!COMPRESSIBLE.test(path)) continue;
  const body = readFileSync(path);
  if (body.length < MIN_BYTES) continue;
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = gzipSync(body, { level: 9 });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  before += body.length;
  afterBr += br.length;
  afterGz += gz.length;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`precompressed ${root}: ${kib(before)} -> br ${kib(afterBr)}, gzip ${kib(afterGz)}`);
