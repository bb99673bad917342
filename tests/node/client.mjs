#!/usr/bin/env node
// Drives a real Node.js SDK against a PinMe-compatible server (mockpinme) and
// prints exactly one JSON line describing what the SDK returned or threw.
//
//   node client.mjs <openai|openrouter> <models|chat|stream>
//
// env: BASE_URL (e.g. http://127.0.0.1:1234, no /api/v1), API_KEY, PROJECT.
// chat/stream read the request body (OpenRouter wire JSON: model, messages,
// tools, ...) from stdin. Exit code 0 whatever the SDK did; 2 for bad usage.
//
// Output: {"ok", "result", "chunks", "content", "error"} — see README.md.

import OpenAI from 'openai';
import { OpenRouter, HTTPClient } from '@openrouter/sdk';

const SDKS = ['openai', 'openrouter'];
const MODES = ['models', 'chat', 'stream'];

function usage(msg) {
  process.stderr.write(
    `${msg}\nusage: node client.mjs <${SDKS.join('|')}> <${MODES.join('|')}>\n` +
      'env: BASE_URL, API_KEY, PROJECT; chat/stream read the JSON request body from stdin\n',
  );
  process.exit(2);
}

async function readStdin() {
  const parts = [];
  for await (const part of process.stdin) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

// A mockpinme extension, for running many scenarios against one server: the
// X-Mockpinme-Scenario header, when env.SCENARIO is set (batch jobs set it per job).
function scenarioHeader(env) {
  return env.SCENARIO ? { 'X-Mockpinme-Scenario': env.SCENARIO } : {};
}

// ---------------------------------------------------------------- openai ---

function openaiClient(env) {
  // PinMe authenticates with X-API-Key + ?project_name=, not a bearer token;
  // the SDK insists on an apiKey, so it gets a placeholder.
  return new OpenAI({
    baseURL: env.BASE_URL + '/api/v1',
    apiKey: 'unused',
    defaultHeaders: { 'X-API-Key': env.API_KEY, ...scenarioHeader(env) },
    defaultQuery: { project_name: env.PROJECT },
    maxRetries: 0,
  });
}

async function runOpenAI(mode, env, body, out) {
  const client = openaiClient(env);
  if (mode === 'models') {
    const page = await client.models.list();
    out.result = { object: page.object, data: page.data };
    return;
  }
  if (mode === 'chat') {
    const completion = await client.chat.completions.create({ ...body, stream: false });
    out.result = completion;
    out.content = completion?.choices?.[0]?.message?.content ?? null;
    return;
  }
  const stream = await client.chat.completions.create({ ...body, stream: true });
  for await (const chunk of stream) {
    out.chunks.push(chunk);
    out.content += chunk?.choices?.[0]?.delta?.content ?? '';
  }
}

// ------------------------------------------------------------ openrouter ---

// @openrouter/sdk takes camelCase request objects (maxTokens, toolChoice,
// toolCallId, ...) and serialises them back to the snake_case wire format; its
// zod schemas drop keys they do not know. The bodies given to this CLI are
// wire JSON, so keys are camelised, except inside free-form values: a
// function tool's JSON-schema `parameters`, `response_format.json_schema.schema`,
// and string-keyed maps such as `metadata` and `logit_bias`.
const OPAQUE = new Set([
  'function.parameters',
  'json_schema.schema',
  '*.metadata',
  '*.logit_bias',
  '*.image_config',
]);

function camelKey(key) {
  return key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function camelize(value, parentKey = '') {
  if (Array.isArray(value)) return value.map((v) => camelize(v, parentKey));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const opaque = OPAQUE.has(`${parentKey}.${key}`) || OPAQUE.has(`*.${key}`);
    out[camelKey(key)] = opaque ? v : camelize(v, key);
  }
  return out;
}

function openrouterClient(env) {
  // Documented Speakeasy mechanism: a custom HTTPClient whose "beforeRequest"
  // hook adds the PinMe header and query parameter to every request.
  // The URL of a Request is read-only, so the hook builds a new one; the body is
  // buffered so that it still goes out with a Content-Length (re-wrapping the
  // body stream would switch the upload to chunked encoding).
  const httpClient = new HTTPClient();
  httpClient.addHook('beforeRequest', async (request) => {
    const url = new URL(request.url);
    url.searchParams.set('project_name', env.PROJECT);
    const headers = new Headers(request.headers);
    headers.set('X-API-Key', env.API_KEY);
    for (const [name, value] of Object.entries(scenarioHeader(env))) headers.set(name, value);
    const body = request.body ? await request.arrayBuffer() : undefined;
    return new Request(url, { method: request.method, headers, body, signal: request.signal });
  });
  return new OpenRouter({
    serverURL: env.BASE_URL + '/api/v1',
    httpClient,
    // No bearer token: PinMe does not use one, and an empty string stops the
    // SDK from falling back to $OPENROUTER_API_KEY.
    apiKey: '',
    // The SDK otherwise retries 5XX with backoff for up to an hour.
    retryConfig: { strategy: 'none' },
  });
}

async function runOpenRouter(mode, env, body, out) {
  const client = openrouterClient(env);
  if (mode === 'models') {
    const page = await client.models.list();
    out.result = page.result;
    return;
  }
  const chatRequest = camelize(body);
  if (mode === 'chat') {
    const completion = await client.chat.send({ chatRequest: { ...chatRequest, stream: false } });
    out.result = completion;
    out.content = completion?.choices?.[0]?.message?.content ?? null;
    return;
  }
  const stream = await client.chat.send({ chatRequest: { ...chatRequest, stream: true } });
  for await (const chunk of stream) {
    out.chunks.push(chunk);
    out.content += chunk?.choices?.[0]?.delta?.content ?? '';
  }
}

// ------------------------------------------------------------------ main ---

function describeError(err) {
  const status = err?.status ?? err?.statusCode ?? null;
  return {
    name: err?.constructor?.name ?? typeof err,
    message: String(err?.message ?? err),
    status: typeof status === 'number' ? status : null,
  };
}

async function runOne(sdk, mode, env, body) {
  const out = {
    ok: false,
    result: null,
    chunks: [],
    content: mode === 'stream' ? '' : null,
    error: null,
  };
  try {
    if (sdk === 'openai') await runOpenAI(mode, env, body, out);
    else await runOpenRouter(mode, env, body, out);
    out.ok = true;
  } catch (err) {
    out.error = describeError(err);
    // Full detail (e.g. which field failed zod validation) for humans, on stderr.
    const detail = typeof err?.pretty === 'function' ? err.pretty() : err?.stack;
    process.stderr.write(`${detail ?? err}\n`);
  }
  return out;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

async function main() {
  const [sdk, mode, ...rest] = process.argv.slice(2);
  const batch = sdk === 'batch' && mode === undefined;
  if (!batch && (rest.length || !SDKS.includes(sdk) || !MODES.includes(mode))) usage('bad arguments');
  const env = {};
  for (const name of ['BASE_URL', 'API_KEY', 'PROJECT']) {
    if (process.env[name] === undefined) usage(`missing env ${name}`);
    env[name] = process.env[name];
  }
  env.BASE_URL = env.BASE_URL.replace(/\/+$/, '');
  env.SCENARIO = process.env.MOCKPINME_SCENARIO;

  let input = null;
  if (batch || mode !== 'models') {
    const text = await readStdin();
    try {
      input = JSON.parse(text);
    } catch (err) {
      usage(`stdin is not JSON: ${err.message}`);
    }
  }
  if (batch) {
    // `node client.mjs batch`: stdin is [{sdk, mode, body?, scenario?}, ...]; one JSON line
    // with the array of outputs, in order. Saves a Node start per request.
    if (!Array.isArray(input)) usage('batch: stdin must be a JSON array of jobs');
    const outs = [];
    for (const job of input) {
      if (!isObject(job) || !SDKS.includes(job.sdk) || !MODES.includes(job.mode)) usage('batch: bad job');
      outs.push(await runOne(job.sdk, job.mode, { ...env, SCENARIO: job.scenario ?? env.SCENARIO }, job.body ?? {}));
    }
    process.stdout.write(JSON.stringify(outs) + '\n');
    return;
  }
  if (mode !== 'models' && !isObject(input)) usage('stdin must be a JSON object');
  process.stdout.write(JSON.stringify(await runOne(sdk, mode, env, input)) + '\n');
}

main().catch((err) => {
  // Only reached on a bug in this script; still honour the one-JSON-line contract.
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.stdout.write(
    JSON.stringify({ ok: false, result: null, chunks: [], content: null, error: describeError(err) }) + '\n',
  );
});
