// The example front end: asks the PinMe Worker (POST /api/chat/stream) and shows the answer as it
// streams in. The stream is read by the consumer from PinMe's LLM guide, copied as written (only its
// TypeScript types removed); everything else in this file is the page around it.

// Where the Worker is: the `api` query parameter, e.g. index.html?api=http://127.0.0.1:8787
// (without it, wrangler dev's default address).
const API_ORIGIN = new URL(
  new URLSearchParams(location.search).get('api') || 'http://localhost:8787',
).origin;

function getApiUrl(path) {
  return API_ORIGIN + path;
}

// ---------------------------------------------------------------------------------------------
// PinMe's guide, "Frontend SSE Stream Consumer Example": verbatim, TypeScript types removed.
// ---------------------------------------------------------------------------------------------
async function streamChat(question, onChunk) {
  const resp = await fetch(getApiUrl('/api/chat/stream'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ question }),
  });
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop(); // Keep incomplete line
    for (const line of lines) {
      if (!line.startsWith('data: ')) continue;
      const payload = line.slice(6);
      if (payload === '[DONE]') return;
      const chunk = JSON.parse(payload);
      const content = chunk.choices[0]?.delta?.content;
      if (content) onChunk(content);
    }
  }
}
// ---------------------------------------------------------------------------------------------
// End of the guide's code.
// ---------------------------------------------------------------------------------------------

// What the guide's consumer does not check — a non-ok answer, an in-band error chunk, a stream
// that just stops — is watched from outside it: in this module the name `fetch` that streamChat
// calls is `watchedFetch` (a module binding shadows the global), which turns a non-ok answer into
// a thrown Error carrying the Worker's `{error}` message, and passes an ok body through unchanged
// while noting what went by in `lastStream`.
const fetch = watchedFetch;
let lastStream = null;

async function watchedFetch(url, init) {
  const resp = await globalThis.fetch(url, init);
  if (!resp.ok) throw new Error(await errorMessageOf(resp));
  const seen = (lastStream = { done: false, finishReason: null, error: null });
  return new Response(resp.body.pipeThrough(watchSse(seen)), {
    status: resp.status,
    statusText: resp.statusText,
    headers: resp.headers,
  });
}

async function errorMessageOf(resp) {
  const text = await resp.text();
  try {
    const body = JSON.parse(text);
    if (typeof body.error === 'string') return body.error;
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: fall through
  }
  return `The Worker answered HTTP ${resp.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

// Passes the bytes on untouched; notes `[DONE]`, the finish reason and an in-band `error`.
function watchSse(seen) {
  const decoder = new TextDecoder();
  let buffer = '';
  const note = (line) => {
    line = line.replace(/\r$/, '');
    if (!line.startsWith('data:')) return;
    const payload = line.slice(5).trim();
    if (payload === '[DONE]') {
      seen.done = true;
      return;
    }
    try {
      const chunk = JSON.parse(payload);
      if (chunk.error) seen.error = chunk.error;
      const reason = chunk.choices?.[0]?.finish_reason;
      if (reason) seen.finishReason = reason;
    } catch {
      // the guide's own JSON.parse reports a broken event
    }
  };
  return new TransformStream({
    transform(bytes, controller) {
      buffer += decoder.decode(bytes, { stream: true });
      const lines = buffer.split('\n');
      buffer = lines.pop();
      lines.forEach(note);
      controller.enqueue(bytes);
    },
    flush() {
      buffer += decoder.decode();
      if (buffer) note(buffer);
    },
  });
}

// The page.
const $ = (id) => document.getElementById(id);
$('api').textContent = API_ORIGIN;

function setState(state, status) {
  document.body.dataset.state = state;
  $('status').textContent = status;
}

$('ask').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = $('question').value.trim();
  if (!question) return;
  $('output').textContent = '';
  $('error').textContent = '';
  $('notice').textContent = '';
  $('send').disabled = true;
  lastStream = null;
  setState('waiting', 'Waiting for the first words…');
  try {
    await streamChat(question, (text) => {
      if (document.body.dataset.state === 'waiting') setState('streaming', 'Answering…');
      $('output').textContent += text;
    });
    const seen = lastStream;
    if (seen.error || seen.finishReason === 'error') {
      const code = seen.error?.code ? ` (${seen.error.code})` : '';
      $('error').textContent = `${seen.error?.message || 'The answer stopped with an error'}${code}`;
      setState('error', 'The answer stopped with an error.');
    } else if (!seen.done && !seen.finishReason) {
      $('notice').textContent = 'Incomplete answer: the stream ended before the model finished.';
      setState('incomplete', 'Incomplete answer.');
    } else {
      setState('done', 'Done.');
    }
  } catch (err) {
    // An in-band error event the guide's parser tripped over says more than the parser's TypeError.
    $('error').textContent = lastStream?.error?.message || err.message || String(err);
    setState('error', 'Failed.');
  } finally {
    $('send').disabled = false;
  }
});
