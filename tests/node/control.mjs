#!/usr/bin/env node
// Drives mockpinme's control API from Node alone (no Python): switch the scenario, make a chat
// call the way a Worker would, read the journal and the state, reset. Prints one JSON line.
//
//   BASE_URL=http://127.0.0.1:PORT [TOKEN=...] node control.mjs <scenario-name>

const base = process.env.BASE_URL;
const scenario = process.argv[2];
if (!base || !scenario) {
  process.stderr.write('usage: BASE_URL=... node control.mjs <scenario-name>\n');
  process.exit(2);
}
const auth = process.env.TOKEN ? { Authorization: `Bearer ${process.env.TOKEN}` } : {};

async function call(method, path, body) {
  const resp = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: resp.status, body: await resp.json() };
}

const out = {};
out.switch = await call('PUT', '/__mockpinme/scenario', { name: scenario });
out.active = await call('GET', '/__mockpinme/scenario');
const chat = await fetch(`${base}/api/v1/chat/completions?project_name=${encodeURIComponent('node demo')}`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'X-API-Key': 'node-key' },
  body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'from node' }] }),
});
out.chat = { status: chat.status, body: await chat.json() };
out.journal = await call('GET', '/__mockpinme/requests?path=/api/v1/chat/completions&limit=5');
out.state = await call('GET', '/__mockpinme/state');
out.reset = await call('POST', '/__mockpinme/reset');
out.after = await call('GET', '/__mockpinme/requests');
process.stdout.write(JSON.stringify(out) + '\n');
