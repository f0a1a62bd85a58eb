#!/usr/bin/env node
// Builds the static app (next build -> out/) and serves out/ on 127.0.0.1 with plain Node.
//
// PORT picks the port (default 3000). `--no-build` (or HWLEDGER_SKIP_BUILD=1) serves the
// existing out/ as is; `--build-only` (npm run build) builds and exits. Nothing here talks to
// any host but the loopback address it listens on.

import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'out');
const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

/** MIME type by file extension; anything else is served as bytes. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.onnx': 'application/octet-stream',
  '.gguf': 'application/octet-stream',
};

/** Writes the tiny demo model the inference cell ships with (public/generated, git-ignored). */
function makeDemoModel() {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts', 'make-demo-model.ts')],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    process.stderr.write('Writing the demo model failed; see the messages above.\n');
    process.exit(result.status ?? 1);
  }
}

function build() {
  makeDemoModel();
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const result = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    process.stderr.write('The build failed; see the messages above.\n');
    process.exit(result.status ?? 1);
  }
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** Files larger than this are left for the service worker to cache on first use. */
const PRECACHE_MAX_BYTES = 8 * 2 ** 20;

/** Writes out/precache.json: the export's URLs, for the service worker to cache at install. */
function writePrecacheList() {
  const urls = listFiles(outDir)
    .filter((path) => statSync(path).size <= PRECACHE_MAX_BYTES)
    .map((path) => `/${relative(outDir, path).split(sep).join('/')}`)
    .filter((url) => !url.endsWith('.txt') && url !== '/precache.json' && url !== '/sw.js')
    .map((url) => url.replace(/index\.html$/, ''));
  writeFileSync(join(outDir, 'precache.json'), JSON.stringify(urls));
}

function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const path = normalize(join(outDir, decoded));
  if (path !== outDir && !path.startsWith(outDir + sep)) return null;
  const candidates = [path, join(path, 'index.html'), `${path}.html`];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile()) ?? null;
}

function send(response, status, file) {
  const type = MIME_TYPES[extname(file)] ?? 'application/octet-stream';
  const immutable = file.includes(`${sep}_next${sep}static${sep}`);
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  createReadStream(file).pipe(response);
}

function serve() {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveFile(url.pathname);
    if (file) {
      send(response, 200, file);
      return;
    }
    const notFound = join(outDir, '404.html');
    if (existsSync(notFound)) send(response, 404, notFound);
    else response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  });
  server.listen(port, host, () => {
    process.stdout.write(`hwLedger is running at http://${host}:${port}/\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const skipBuild = process.argv.includes('--no-build') || process.env.HWLEDGER_SKIP_BUILD === '1';
if (!skipBuild || !existsSync(join(outDir, 'index.html'))) build();
writePrecacheList();
if (!process.argv.includes('--build-only')) serve();
