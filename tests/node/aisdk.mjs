#!/usr/bin/env node
// Drives the Vercel AI SDK (`ai`) with OpenRouter's provider
// (`@openrouter/ai-sdk-provider`) against a PinMe-compatible server (mockpinme)
// and prints exactly one JSON line describing what the SDK returned or threw.
//
//   node aisdk.mjs <generate|stream>
//
// env: BASE_URL (e.g. http://127.0.0.1:1234, no /api/v1), API_KEY, PROJECT.
// stdin: {"model", "prompt"?, "messages"?, "tools"?: {name: {description, parameters}},
//         "providerOptions"?, "webSearch"?: {max_results, max_total_results, engine, via?},
//         "reasoning"?: {...}}
// Exit code 0 whatever the SDK did; 2 for bad usage.
//
// Output: {"ok", "text", "reasoning", "sources", "toolCalls", "finishReason",
//          "rawFinishReason", "usage", "providerMetadata", "parts", "error"} — see README.md.

// The AI SDK prints its first-warning notice with console.info (stdout); keep
// stdout for the one JSON line and send every console message to stderr.
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args);
}
globalThis.AI_SDK_LOG_WARNINGS = (warnings) => {
  // Called with { warnings, provider, model } (or a bare array in older releases).
  process.stderr.write(`AI SDK warnings: ${JSON.stringify(warnings)}\n`);
};

import { generateText, streamText, tool, jsonSchema } from 'ai';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';

const MODES = ['generate', 'stream'];

function usage(msg) {
  process.stderr.write(
    `${msg}\nusage: node aisdk.mjs <${MODES.join('|')}>\n` +
      'env: BASE_URL, API_KEY, PROJECT; the JSON request is read from stdin\n',
  );
  process.exit(2);
}

async function readStdin() {
  const parts = [];
  for await (const part of process.stdin) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

// ------------------------------------------------------------- provider ---

// PinMe authenticates with an `X-API-Key` header plus a `project_name` query
// parameter on chat/completions. The provider's `headers` setting covers the
// header; for the query parameter the documented hook is the `fetch` setting
// ("Custom fetch implementation. You can use it as a middleware to intercept
// requests", OpenRouterProviderSettings in the package's index.d.ts). The
// provider insists on an API key (else it reads $OPENROUTER_API_KEY or throws),
// so it gets a placeholder, sent as `Authorization: Bearer unused`.
function pinmeOpenRouter(env, settings = {}) {
  return createOpenRouter({
    baseURL: env.BASE_URL + '/api/v1',
    apiKey: 'unused',
    headers: { 'X-API-Key': env.API_KEY, ...(env.SCENARIO ? { 'X-Mockpinme-Scenario': env.SCENARIO } : {}) },
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      url.searchParams.set('project_name', env.PROJECT);
      return fetch(input instanceof Request ? new Request(url, input) : url, init);
    },
    ...settings,
  });
}

// {max_results: 5, max_total_results: 10} -> {maxResults: 5, maxTotalResults: 10};
// the provider turns the web-search tool's camelCase args back into snake_case.
function camelKeys(obj) {
  const out = {};
  for (const [key, value] of Object.entries(obj)) {
    out[key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())] = value;
  }
  return out;
}

// Builds the generateText/streamText options from the stdin request.
function buildCall(env, body) {
  const openrouter = pinmeOpenRouter(env);
  const modelSettings = {};
  const tools = {};

  for (const [name, def] of Object.entries(body.tools ?? {})) {
    // No `execute`: the SDK returns the model's tool calls instead of running them.
    tools[name] = tool({
      description: def?.description,
      inputSchema: jsonSchema(def?.parameters ?? { type: 'object', properties: {} }),
    });
  }

  if (body.webSearch) {
    const { via = 'tool', ...args } = body.webSearch;
    if (via === 'tool') {
      // The provider's server tool (`openrouter.tools.webSearch`), sent as a
      // `{type: "openrouter:web_search", ...}` entry of the request's `tools`.
      tools.web_search = openrouter.tools.webSearch(camelKeys(args));
    } else if (via === 'plugin') {
      // The legacy web plugin, a documented model setting: `plugins: [{id: "web", ...}]`.
      modelSettings.plugins = [{ id: 'web', ...args }];
    } else {
      usage(`webSearch.via must be "tool" or "plugin", not ${JSON.stringify(via)}`);
    }
  }

  let providerOptions = body.providerOptions;
  if (body.reasoning !== undefined) {
    // Documented way 1 of "Passing Extra Body to OpenRouter" in the provider's
    // README: providerOptions.openrouter keys are merged into the request body as is.
    providerOptions = {
      ...providerOptions,
      openrouter: { ...providerOptions?.openrouter, reasoning: body.reasoning },
    };
  }

  const call = {
    model: openrouter.chat(body.model, modelSettings),
    maxRetries: 0, // the SDK otherwise retries 429/5xx twice
  };
  if (body.prompt !== undefined) call.prompt = body.prompt;
  if (body.messages !== undefined) call.messages = body.messages;
  if (Object.keys(tools).length) call.tools = tools;
  if (providerOptions !== undefined) call.providerOptions = providerOptions;
  return call;
}

// ----------------------------------------------------------------- runs ---

function toolCallsOf(calls) {
  return (calls ?? []).map((c) => ({
    toolCallId: c.toolCallId,
    toolName: c.toolName,
    input: c.input,
    ...(c.providerExecuted !== undefined ? { providerExecuted: c.providerExecuted } : {}),
  }));
}

function reasoningOf(reasoningText, reasoning) {
  if (typeof reasoningText === 'string') return reasoningText;
  if (Array.isArray(reasoning) && reasoning.length) return reasoning.map((r) => r.text ?? '').join('');
  return null;
}

async function runGenerate(call, out) {
  const result = await generateText(call);
  out.text = result.text;
  out.reasoning = reasoningOf(result.reasoningText, result.reasoning);
  out.sources = result.sources ?? [];
  out.toolCalls = toolCallsOf(result.toolCalls);
  out.finishReason = result.finishReason ?? null;
  out.rawFinishReason = result.rawFinishReason ?? null;
  out.usage = result.usage ?? null;
  out.providerMetadata = result.providerMetadata ?? null;
}

async function runStream(call, out) {
  const errors = [];
  const result = streamText({
    ...call,
    // Without onError the SDK logs stream errors with console.error; they also
    // arrive as 'error' parts of fullStream, read below.
    onError: ({ error }) => {
      errors.push(error);
    },
  });
  let deltas = '';
  for await (const part of result.fullStream) {
    if (out.parts[out.parts.length - 1] !== part.type) out.parts.push(part.type);
    if (part.type === 'text-delta') deltas += part.text ?? part.delta ?? '';
    if (part.type === 'error' && !errors.includes(part.error)) errors.push(part.error);
  }
  // After a stream error these promises may reject (e.g. NoOutputGeneratedError);
  // the first error seen wins, and whatever did resolve is still reported.
  const settle = async (promise, fallback) => {
    try {
      const value = await promise;
      return value === undefined ? fallback : value;
    } catch (err) {
      errors.push(err);
      return fallback;
    }
  };
  out.text = await settle(result.text, deltas);
  const reasoningText = await settle(result.reasoningText, undefined);
  const reasoning = await settle(result.reasoning, []);
  out.reasoning = reasoningOf(reasoningText, reasoning);
  out.sources = await settle(result.sources, []);
  out.toolCalls = toolCallsOf(await settle(result.toolCalls, []));
  out.finishReason = await settle(result.finishReason, null);
  out.rawFinishReason = await settle(result.rawFinishReason, null);
  out.usage = await settle(result.usage, null);
  out.providerMetadata = await settle(result.providerMetadata, null);
  if (errors.length) throw errors[0];
}

// ------------------------------------------------------------------ main ---

function describeError(err) {
  // AI SDK errors are Error subclasses named e.g. "AI_APICallError" with
  // `statusCode`; an in-band stream error chunk arrives as the provider passes
  // it on: a plain {code, message, metadata} object (name "Object", no HTTP status).
  const status = err?.statusCode ?? err?.status;
  let message = err?.message;
  if (typeof message !== 'string') {
    try {
      message = JSON.stringify(err);
    } catch {
      message = String(err);
    }
  }
  return {
    name: (typeof err?.name === 'string' && err.name) || err?.constructor?.name || typeof err,
    message,
    statusCode: typeof status === 'number' ? status : null,
  };
}

function errorDetail(err) {
  const lines = [err?.stack ?? JSON.stringify(err)];
  if (err?.responseBody !== undefined) lines.push(`responseBody: ${err.responseBody}`);
  if (err?.data !== undefined) lines.push(`data: ${JSON.stringify(err.data)}`);
  if (err?.cause !== undefined) lines.push(`cause: ${err.cause?.stack ?? JSON.stringify(err.cause)}`);
  return lines.join('\n');
}

function emptyOutput() {
  return {
    ok: false,
    text: null,
    reasoning: null,
    sources: [],
    toolCalls: [],
    finishReason: null,
    rawFinishReason: null,
    usage: null,
    providerMetadata: null,
    parts: [],
    error: null,
  };
}

async function runOne(mode, env, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) usage('a request must be a JSON object');
  if (typeof body.model !== 'string') usage('a request needs a "model" string');
  if (body.prompt === undefined && body.messages === undefined) usage('a request needs "prompt" or "messages"');
  const out = emptyOutput();
  try {
    const call = buildCall(env, body);
    if (mode === 'generate') await runGenerate(call, out);
    else await runStream(call, out);
    out.ok = true;
  } catch (err) {
    out.error = describeError(err);
    process.stderr.write(`${errorDetail(err)}\n`);
  }
  return out;
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  const batch = mode === 'batch';
  if (rest.length || !(batch || MODES.includes(mode))) usage('bad arguments');
  const env = {};
  for (const name of ['BASE_URL', 'API_KEY', 'PROJECT']) {
    if (process.env[name] === undefined) usage(`missing env ${name}`);
    env[name] = process.env[name];
  }
  env.BASE_URL = env.BASE_URL.replace(/\/+$/, '');
  env.SCENARIO = process.env.MOCKPINME_SCENARIO;

  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch (err) {
    usage(`stdin is not JSON: ${err.message}`);
  }
  if (batch) {
    // `node aisdk.mjs batch`: stdin is [{mode, body, scenario?}, ...]; one JSON line with the
    // array of outputs, in order.
    if (!Array.isArray(input)) usage('batch: stdin must be a JSON array of jobs');
    const outs = [];
    for (const job of input) {
      if (!MODES.includes(job?.mode)) usage('batch: bad job');
      outs.push(await runOne(job.mode, { ...env, SCENARIO: job.scenario ?? env.SCENARIO }, job.body));
    }
    process.stdout.write(JSON.stringify(outs) + '\n');
    return;
  }
  process.stdout.write(JSON.stringify(await runOne(mode, env, input)) + '\n');
}

main().catch((err) => {
  // Only reached on a bug in this script; still honour the one-JSON-line contract.
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.stdout.write(JSON.stringify({ ...emptyOutput(), error: describeError(err) }) + '\n');
});
