#!/usr/bin/env node
// PinMe's own guide code (the pinme-llm skill, "PinMe Worker OpenRouter API
// Integration"), run against a PinMe-compatible server (mockpinme). Prints
// exactly one JSON line.
//
//   node guide.mjs <listModels|searchWithLLM|searchWithLLMRaw|searchWithLLMUnbounded|callLLM|callOpenRouterJSON|extractError>
//
// env: BASE_URL (e.g. http://127.0.0.1:1234, no /api/v1), API_KEY, PROJECT
// (the guide's env.PROJECT_NAME). JSON arguments on stdin — see README.md.
// Exit code 0 whatever happened; 2 for bad usage.

// ==================================================================== //
// The guide's functions, copied verbatim from its TypeScript with only  //
// the type annotations, casts and the PinmeResponse interface removed   //
// (and the indentation, lost in the copy of the guide, restored).       //
// Do not edit them: the point is to test the code PinMe tells users to  //
// write.                                                                //
// ==================================================================== //

async function listModels(env) {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(`${baseUrl}/api/v1/models`, {
    headers: { 'X-API-Key': env.API_KEY },
  });
  if (!resp.ok) {
    throw new Error(await extractPinmeOpenRouterError(resp));
  }
  return await resp.json();
}

async function searchWithLLM(env, query) {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(
    `${baseUrl}/api/v1/chat/completions?project_name=${encodeURIComponent(env.PROJECT_NAME)}`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-API-Key': env.API_KEY,
      },
      body: JSON.stringify({
        model: 'openai/gpt-5.2',
        messages: [{ role: 'user', content: query }],
        tools: [
          {
            type: 'openrouter:web_search',
            parameters: {
              engine: 'auto',
              max_results: 5,
              max_total_results: 10,
            },
          },
        ],
      }),
    },
  );
  if (!resp.ok) {
    throw new Error(await extractPinmeOpenRouterError(resp));
  }
  const data = await resp.json();
  return data.choices[0]?.message?.content ?? '';
}

async function callLLM(
  env,
  messages,
  model = 'openai/gpt-4o-mini',
) {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(
    `${baseUrl}/api/v1/chat/completions?project_name=${encodeURIComponent(env.PROJECT_NAME)}`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-API-Key': env.API_KEY,
      },
      body: JSON.stringify({ model, messages }),
    },
  );
  if (!resp.ok) {
    return { content: '', error: await extractPinmeOpenRouterError(resp) };
  }
  const data = await resp.json();
  return { content: data.choices[0]?.message?.content || '' };
}

async function extractPinmeOpenRouterError(resp) {
  const fallback = `HTTP ${resp.status}`;
  try {
    const body = await resp.clone().json();
    if ('data' in body && body.data && typeof body.data === 'object' && 'error' in body.data) {
      return String((body.data).error);
    }
    if ('msg' in body && typeof body.msg === 'string' && body.msg) {
      return body.msg;
    }
    if ('error' in body) {
      const error = body.error;
      if (typeof error === 'string') return error;
      if (error && typeof error === 'object' && 'message' in error) {
        return String((error).message);
      }
    }
  } catch {
    try {
      const text = await resp.text();
      if (text) return text;
    } catch {
      // Ignore and return fallback below.
    }
  }
  return fallback;
}

async function callOpenRouterJSON(url, apiKey, body) {
  let resp;
  try {
    resp = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
      body: JSON.stringify(body),
    });
  } catch {
    return { error: 'Network error' };
  }
  if (!resp.ok) {
    return { error: await extractPinmeOpenRouterError(resp) };
  }
  return { data: await resp.json() };
}

// ==================================================================== //
// End of the guide's code. Test helpers below are NOT from the guide.   //
// ==================================================================== //

// Same request as searchWithLLM (same URL, headers and body), but returns the
// whole parsed response so that tests can read annotations, usage, etc.
async function searchWithLLMRaw(env, query) {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(
    `${baseUrl}/api/v1/chat/completions?project_name=${encodeURIComponent(env.PROJECT_NAME)}`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-API-Key': env.API_KEY,
      },
      body: JSON.stringify({
        model: 'openai/gpt-5.2',
        messages: [{ role: 'user', content: query }],
        tools: [
          {
            type: 'openrouter:web_search',
            parameters: {
              engine: 'auto',
              max_results: 5,
              max_total_results: 10,
            },
          },
        ],
      }),
    },
  );
  if (!resp.ok) {
    throw new Error(await extractPinmeOpenRouterError(resp));
  }
  return await resp.json();
}

// searchWithLLM as it reads once the guide's bounds (max_results, max_total_results) are left out:
// the same URL and headers, for the verdict's guide check to catch.
async function searchWithLLMUnbounded(env, query) {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(
    `${baseUrl}/api/v1/chat/completions?project_name=${encodeURIComponent(env.PROJECT_NAME)}`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': env.API_KEY },
      body: JSON.stringify({
        model: 'openai/gpt-5.2',
        messages: [{ role: 'user', content: query }],
        tools: [{ type: 'openrouter:web_search', parameters: { engine: 'auto' } }],
      }),
    },
  );
  if (!resp.ok) {
    throw new Error(await extractPinmeOpenRouterError(resp));
  }
  const data = await resp.json();
  return data.choices[0]?.message?.content ?? '';
}

// ------------------------------------------------------------------- CLI ---

const COMMANDS = {
  // no stdin
  listModels: async (env) => ({ result: await listModels(env) }),
  // stdin {"query"}
  searchWithLLM: async (env, args) => ({ result: await searchWithLLM(env, args.query) }),
  searchWithLLMRaw: async (env, args) => ({ result: await searchWithLLMRaw(env, args.query) }),
  searchWithLLMUnbounded: async (env, args) => ({ result: await searchWithLLMUnbounded(env, args.query) }),
  // stdin {"messages", "model"?}; callLLM's own default model applies when "model" is absent
  callLLM: async (env, args) => ({ result: await callLLM(env, args.messages, args.model) }),
  // stdin {"body", "path"?}; path defaults to the guide's chat/completions URL
  callOpenRouterJSON: async (env, args) => {
    const path =
      args.path ?? `/api/v1/chat/completions?project_name=${encodeURIComponent(env.PROJECT_NAME)}`;
    return { result: await callOpenRouterJSON(`${env.BASE_URL}${path}`, env.API_KEY, args.body) };
  },
  // stdin {"method", "path", "body"?}: a raw request whose response goes through
  // extractPinmeOpenRouterError. An object body is sent as JSON, a string as is.
  extractError: async (env, args) => {
    const body =
      args.body === undefined || typeof args.body === 'string' ? args.body : JSON.stringify(args.body);
    const resp = await fetch(`${env.BASE_URL}${args.path}`, {
      method: args.method,
      headers: { 'Content-Type': 'application/json', 'X-API-Key': env.API_KEY },
      body,
    });
    return { status: resp.status, message: await extractPinmeOpenRouterError(resp) };
  },
};
const NO_STDIN = new Set(['listModels']);

function usage(msg) {
  process.stderr.write(
    `${msg}\nusage: node guide.mjs <${Object.keys(COMMANDS).join('|')}>\n` +
      'env: BASE_URL, API_KEY, PROJECT; JSON arguments on stdin (none for listModels)\n',
  );
  process.exit(2);
}

async function readStdin() {
  const parts = [];
  for await (const part of process.stdin) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

function describeError(err) {
  return {
    name: err?.constructor?.name ?? typeof err,
    message: String(err?.message ?? err),
  };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (rest.length || !Object.hasOwn(COMMANDS, command)) usage('bad arguments');
  const envVars = {};
  for (const name of ['BASE_URL', 'API_KEY', 'PROJECT']) {
    if (process.env[name] === undefined) usage(`missing env ${name}`);
    envVars[name] = process.env[name];
  }
  // The guide's Worker `Env`: API_KEY, PROJECT_NAME and the optional BASE_URL.
  const env = {
    BASE_URL: envVars.BASE_URL.replace(/\/+$/, ''),
    API_KEY: envVars.API_KEY,
    PROJECT_NAME: envVars.PROJECT,
  };

  let args = {};
  if (!NO_STDIN.has(command)) {
    try {
      args = JSON.parse(await readStdin());
    } catch (err) {
      usage(`stdin is not JSON: ${err.message}`);
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) usage('stdin must be a JSON object');
  }

  let out;
  try {
    out = { ok: true, ...(await COMMANDS[command](env, args)), error: null };
  } catch (err) {
    out = command === 'extractError' ? { ok: false, status: null, message: null } : { ok: false, result: null };
    out.error = describeError(err);
    process.stderr.write(`${err?.stack ?? err}\n`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  // Only reached on a bug in this script; still honour the one-JSON-line contract.
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.stdout.write(JSON.stringify({ ok: false, result: null, error: describeError(err) }) + '\n');
});
