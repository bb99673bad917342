// A small PinMe Worker written from PinMe's LLM guide ("PinMe Worker OpenRouter API Integration").
//
// The functions listModels, searchWithLLM, callLLM, handleChat, handleChatStream and
// extractPinmeOpenRouterError are the guide's code. Where this file departs from the guide it says
// so in a comment that starts with "Not in the guide:".
//
// Routes (shared with the front end in ../frontend):
//   GET  /api/models        -> OpenRouter's /models body, or {error} 502
//   POST /api/chat          {question, model?} -> {answer} or {error} 502
//   POST /api/chat/stream   {question, model?} -> the upstream SSE stream, or {error} with upstream's status
//   POST /api/search        {query} -> {answer} or {error} 502
//   POST /api/email         {to, subject, html} -> {ok: true} or {error} 500   (email skill: sendEmail)
//   POST /api/send-code     {email} -> {ok: true} or {error} 500              (email skill's route)
//   POST /api/signup        {email, password, display_name?} -> {user} or {error} 400
//   GET  /api/me            Authorization: Bearer ID_TOKEN -> {uid, email, user} or {error} 401 / 403
//   GET  /api/user?uid=     -> {user} or {error} 404
//   GET  /api/users         -> {users, count}: every user, through iterAllUsers; or {error} 502
//   OPTIONS *               -> 204
// Every response carries CORS_HEADERS. The email and auth functions are the skills' code, in
// src/email.ts and src/auth.ts.

import { createAuthUser, getAuthUser, iterAllUsers, verifyAuthToken, type UserInfo } from './auth';
import { handleSendVerification, sendEmail } from './email';

export interface Env {
  API_KEY: string; // Project API Key from create_worker
  PROJECT_NAME: string; // Actual project_name from create_worker; must match API_KEY
  BASE_URL?: string; // Optional override for PinMe API base URL, defaults to https://pinme.cloud
  // Not in the guide: idle timeout of the SSE pass-through, in milliseconds (default 30000).
  STREAM_IDLE_MS?: string;
}

// The guide's code uses CORS_HEADERS and json() without defining them; these are plain definitions.
const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
  'Access-Control-Max-Age': '86400',
};

function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...CORS_HEADERS },
  });
}

interface PinmeResponse<T = unknown> {
  code: number; // 200=success, other=failure
  msg: string; // "ok" | "error" | "invalid params"
  data?: T; // Business data on success, may contain { error: string } on failure
}

async function extractPinmeOpenRouterError(resp: Response): Promise<string> {
  const fallback = `HTTP ${resp.status}`;
  try {
    const body = await resp.clone().json() as PinmeResponse | { error?: { message?: string } } | { error?: string };
    if ('data' in body && body.data && typeof body.data === 'object' && 'error' in body.data) {
      return String((body.data as { error: unknown }).error);
    }
    if ('msg' in body && typeof body.msg === 'string' && body.msg) {
      return body.msg;
    }
    if ('error' in body) {
      const error = body.error;
      if (typeof error === 'string') return error;
      if (error && typeof error === 'object' && 'message' in error) {
        return String((error as { message: unknown }).message);
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

async function listModels(env: Env): Promise<unknown> {
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';
  const resp = await fetch(`${baseUrl}/api/v1/models`, {
    headers: { 'X-API-Key': env.API_KEY },
  });
  if (!resp.ok) {
    throw new Error(await extractPinmeOpenRouterError(resp));
  }
  return await resp.json();
}

async function searchWithLLM(env: Env, query: string): Promise<string> {
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
  const data = await resp.json() as { choices: Array<{ message?: { content?: string } }> };
  return data.choices[0]?.message?.content ?? '';
}

async function callLLM(
  env: Env,
  messages: Array<{ role: string; content: string }>,
  model = 'openai/gpt-4o-mini',
): Promise<{ content: string; error?: string }> {
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
  const data = await resp.json() as { choices: Array<{ message: { content: string } }> };
  return { content: data.choices[0]?.message?.content || '' };
}

async function handleChat(request: Request, env: Env): Promise<Response> {
  // Not in the guide: the optional `model` of the route contract is passed on to callLLM
  // (undefined keeps callLLM's default, openai/gpt-4o-mini).
  const { question, model } = await request.json() as { question: string; model?: string };
  const result = await callLLM(env, [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: question },
  ], model);
  if (result.error) {
    return json({ error: result.error }, 502);
  }
  return json({ answer: result.content });
}

async function handleChatStream(request: Request, env: Env): Promise<Response> {
  const body = await request.text();
  const baseUrl = env.BASE_URL ?? 'https://pinme.cloud';

  // Not in the guide: the guide forwards the client's body as the OpenRouter body; this route's
  // contract is {question, model?}, so the OpenRouter body is built from it, with the same model
  // default and messages as handleChat.
  const { question, model } = JSON.parse(body) as { question: string; model?: string };
  let parsed: Record<string, unknown> = {
    model: model ?? 'openai/gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: question },
    ],
  };
  // Ensure stream=true in the request
  parsed.stream = true;

  const resp = await fetch(
    `${baseUrl}/api/v1/chat/completions?project_name=${encodeURIComponent(env.PROJECT_NAME)}`,
    {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-API-Key': env.API_KEY,
      },
      body: JSON.stringify(parsed),
    },
  );

  if (!resp.ok) {
    return json({ error: await extractPinmeOpenRouterError(resp) }, resp.status);
  }

  // Pass through SSE stream directly
  // Not in the guide: ...through an idle timeout, so a stalled upstream cannot hang the client.
  return new Response(withIdleTimeout(resp.body!, streamIdleMs(env)), {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'Connection': 'keep-alive',
      ...CORS_HEADERS,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Not in the guide: idle timeout for the SSE pass-through.
// The upstream body is piped through a TransformStream that passes every byte on unchanged. When
// no bytes (data or keep-alive comments) arrive for `idleMs`, it sends one final SSE event shaped
// like OpenRouter's in-band error chunk (so the same client code handles both), ends the stream,
// and the pipe cancels the upstream body (which closes the upstream connection).
// ---------------------------------------------------------------------------------------------
function stallEvent(): string {
  const chunk = {
    id: 'worker-stall',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'unknown',
    provider: 'worker',
    error: { code: 504, message: 'upstream stream stalled', metadata: { error_type: 'timeout' } },
    choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function streamIdleMs(env: Env): number {
  const ms = Number(env.STREAM_IDLE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 30000;
}

function withIdleTimeout(upstream: ReadableStream<Uint8Array>, idleMs: number): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ctrl: TransformStreamDefaultController<Uint8Array>;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        ctrl.enqueue(new TextEncoder().encode(stallEvent()));
        ctrl.terminate(); // closes the client side; the pipe below then cancels the upstream
      } catch {
        // The client went away first: nothing to tell.
      }
    }, idleMs);
  };
  const idle = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      ctrl = controller;
      arm();
    },
    transform(chunk, controller) {
      arm();
      controller.enqueue(chunk);
    },
    flush() {
      clearTimeout(timer);
    },
  });
  upstream.pipeTo(idle.writable).catch(() => clearTimeout(timer));
  return idle.readable;
}
// --------------------------------------------------------------------------- end of the addition

// The router: the guide's handlers behind the routes above.
async function route(request: Request, env: Env): Promise<Response> {
  const { pathname } = new URL(request.url);

  if (request.method === 'OPTIONS') {
    return new Response(null, { status: 204, headers: CORS_HEADERS });
  }

  if (pathname === '/api/models' && request.method === 'GET') {
    try {
      return json(await listModels(env));
    } catch (err) {
      return json({ error: errorMessage(err) }, 502);
    }
  }

  if (request.method === 'POST' && ['/api/chat', '/api/chat/stream', '/api/search'].includes(pathname)) {
    // A body that is not JSON is the caller's mistake, not upstream's.
    const body = await request.clone().json().catch(() => undefined) as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') {
      return json({ error: 'Request body must be a JSON object' }, 400);
    }
    try {
      if (pathname === '/api/chat') return await handleChat(request, env);
      if (pathname === '/api/chat/stream') return await handleChatStream(request, env);
      return json({ answer: await searchWithLLM(env, String(body.query ?? '')) });
    } catch (err) {
      // Upstream unreachable, connection reset, or a 200 whose JSON cannot be read.
      return json({ error: errorMessage(err) }, 502);
    }
  }

  const account = await accountRoute(request, env, pathname);
  if (account) return account;

  return json({ error: 'Not found' }, 404);
}

// The email and auth routes: each answers with what the skill's function returns.
async function accountRoute(request: Request, env: Env, pathname: string): Promise<Response | undefined> {
  const url = new URL(request.url);
  const body = async () =>
    (await request.clone().json().catch(() => ({}))) as Record<string, string | undefined>;
  try {
    if (request.method === 'POST' && pathname === '/api/send-code') return await handleSendVerification(request, env, json);
    if (request.method === 'POST' && pathname === '/api/email') {
      const { to, subject, html } = await body();
      const sent = await sendEmail(env, String(to ?? ''), String(subject ?? ''), String(html ?? ''));
      return sent.ok ? json({ ok: true }) : json({ error: sent.error }, 500);
    }
    if (request.method === 'POST' && pathname === '/api/signup') {
      const { email, password, display_name } = await body();
      const created = await createAuthUser(env, { email: email as string, password: password as string, display_name });
      return created.user ? json({ user: created.user }) : json({ error: created.error }, 400);
    }
    if (request.method === 'GET' && pathname === '/api/me') {
      const token = (request.headers.get('Authorization') ?? '').replace(/^Bearer\s+/i, '');
      const who = await verifyAuthToken(env, token);
      if (who.error) return json({ error: who.error, emailNotVerified: who.emailNotVerified }, who.emailNotVerified ? 403 : 401);
      const { user, error } = await getAuthUser(env, who.uid!);
      return user ? json({ uid: who.uid, email: who.email, user }) : json({ error }, 404);
    }
    if (request.method === 'GET' && pathname === '/api/user') {
      const { user, error } = await getAuthUser(env, url.searchParams.get('uid') ?? '');
      return user ? json({ user }) : json({ error }, 404);
    }
    if (request.method === 'GET' && pathname === '/api/users') {
      const users: UserInfo[] = [];
      for await (const user of iterAllUsers(env)) users.push(user);
      return json({ users, count: users.length });
    }
  } catch (err) {
    return json({ error: errorMessage(err) }, 502);
  }
  return undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return route(request, env);
  },
};
