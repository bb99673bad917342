// The Worker (dist/worker.js) in Miniflare, pointed at BASE_URL, asked the same few things each run;
// prints what it answered as one JSON line. tests/test_record_worker.py runs it once through
// `mockpinme record` and once against `mockpinme serve` of the recorded file.

import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

const mf = new Miniflare({
  modules: true,
  scriptPath: fileURLToPath(new URL('../dist/worker.js', import.meta.url)),
  compatibilityDate: '2026-04-01',
  bindings: { BASE_URL: process.env.BASE_URL, API_KEY: process.env.API_KEY, PROJECT_NAME: 'demo' },
});

const post = (path, body) =>
  mf.dispatchFetch(`http://worker.test${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

function streamed(text) {
  let content = '';
  const finish = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const choice = JSON.parse(line.slice(6)).choices?.[0];
    content += choice?.delta?.content ?? '';
    if (choice?.finish_reason) finish.push(choice.finish_reason);
  }
  return { content, finish, done: text.includes('data: [DONE]') };
}

try {
  const models = await (await mf.dispatchFetch('http://worker.test/api/models')).json();
  const chat = await (await post('/api/chat', { question: 'What can a PinMe Worker do?' })).json();
  const stream = streamed(await (await post('/api/chat/stream', { question: 'What can a PinMe Worker do?' })).text());
  const search = await (await post('/api/search', { query: 'Latest PinMe release notes' })).json();
  const bad = await post('/api/chat', { question: 'hello', model: 'acme/nope-1' });
  const failed = { status: bad.status, body: await bad.json() };
  console.log(JSON.stringify({ models: models.data.map((m) => m.id), chat, stream, search, failed }));
} finally {
  await mf.dispose();
}
