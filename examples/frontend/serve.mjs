// Serves this page on 127.0.0.1 and runs the example Worker (../worker/dist/worker.js) on the
// Workers runtime in Miniflare beside it; the browser test uses the same two functions.
//
//   node serve.mjs [--base-url http://127.0.0.1:8790] [--worker-port 8787] [--page-port 8080] [--page-only]
//
// API_KEY and PROJECT_NAME come from the environment (defaults: any-non-empty-key, demo).

import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const FRONTEND_DIR = dirname(fileURLToPath(import.meta.url));
export const WORKER_DIR = resolve(FRONTEND_DIR, '../worker');
export const WORKER_SCRIPT = join(WORKER_DIR, 'dist/worker.js');

// This directory as static files (node_modules and anything outside it refused).
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.png': 'image/png' };

export async function startStatic(port = 0) {
  const server = createServer(async (req, res) => {
    const path = resolve(FRONTEND_DIR, '.' + decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = path === FRONTEND_DIR ? join(path, 'index.html') : path;
    if (!file.startsWith(FRONTEND_DIR + sep) || file.includes(`${sep}node_modules${sep}`)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((done, fail) => server.once('error', fail).listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
  };
}

// The Worker's compatibility settings, from its wrangler file when it has one.
function compatibility() {
  for (const name of ['wrangler.toml', 'wrangler.jsonc', 'wrangler.json']) {
    const file = join(WORKER_DIR, name);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const date = /compatibility_date"?\s*[=:]\s*"([\d-]+)"/.exec(text)?.[1];
    const flags = /compatibility_flags"?\s*[=:]\s*\[([^\]]*)\]/.exec(text)?.[1];
    return {
      compatibilityDate: date || '2025-01-01',
      compatibilityFlags: flags ? [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [],
    };
  }
  return { compatibilityDate: '2025-01-01', compatibilityFlags: [] };
}

// Miniflare is the Worker package's own copy (one pinned version, in ../worker/node_modules).
export async function startWorker({ baseUrl, bindings = {}, port = 0, readyTimeoutMs = 30_000 }) {
  if (!existsSync(WORKER_SCRIPT)) {
    throw new Error(`${WORKER_SCRIPT} is missing: run npm ci && npm run build in examples/worker`);
  }
  const { Miniflare } = createRequire(join(WORKER_DIR, 'package.json'))('miniflare');
  const mf = new Miniflare({
    modules: true,
    modulesRoot: dirname(WORKER_SCRIPT),
    scriptPath: WORKER_SCRIPT,
    ...compatibility(),
    bindings: {
      BASE_URL: baseUrl,
      API_KEY: process.env.API_KEY || 'any-non-empty-key',
      PROJECT_NAME: process.env.PROJECT_NAME || 'demo',
      ...bindings,
    },
    host: '127.0.0.1',
    port,
  });
  let timer;
  const tooLong = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`Miniflare not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
  });
  try {
    const url = await Promise.race([mf.ready, tooLong]);
    return { url: url.origin, close: () => mf.dispose() };
  } catch (err) {
    await mf.dispose().catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string', default: process.env.BASE_URL || 'http://127.0.0.1:8790' },
      'worker-port': { type: 'string', default: '8787' },
      'page-port': { type: 'string', default: '8080' },
      'page-only': { type: 'boolean', default: false },
    },
  });
  const page = await startStatic(Number(values['page-port']));
  let api = `http://localhost:${values['worker-port']}`; // wrangler dev's address
  let worker;
  if (!values['page-only']) {
    worker = await startWorker({ baseUrl: values['base-url'], port: Number(values['worker-port']) });
    api = worker.url;
    console.log(`worker on ${api} (BASE_URL=${values['base-url']})`);
  }
  console.log(`open ${page.url}/index.html?api=${api}`);
  const stop = async () => {
    await Promise.allSettled([page.close(), worker?.close()]);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
