// The inspector page in Debian's Chromium (headless, through playwright-core), against a running
// mockpinme whose URL tests/test_inspector_browser.py passes in:
//
//   MOCKPINME_URL  the server (required)
//   CHROMIUM       the browser (default: /usr/bin/chromium)
//   SCREENSHOTS    where screenshots go (default: ./screenshots)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.MOCKPINME_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOTS || join(HERE, 'screenshots');
const CHAT = `${BASE}/api/v1/chat/completions?project_name=demo`;
const KEY = 'inspector-test-key';

let context;
let page;
const pageErrors = [];
let profile;

function chat(body, headers = {}) {
  return fetch(CHAT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY, ...headers },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }], ...body }),
  });
}

async function control(method, path, json) {
  const response = await fetch(`${BASE}/__mockpinme/${path}`, {
    method,
    headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

// The SSE blocks a client received, as written (keep-alive comments included).
async function sseBlocks(response) {
  const text = await response.text();
  return text.split('\n\n').filter((b) => b.length > 0);
}

async function shot(name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

before(async () => {
  assert.ok(BASE, 'MOCKPINME_URL is set');
  mkdirSync(SCREENSHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'inspector-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    timeout: 30_000,
  });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await control('POST', 'reset', {});
  await page.goto(`${BASE}/__mockpinme/`);
  await page.waitForSelector('#live.on');
}, { timeout: 45_000 });

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('the page loads and shows the active scenario', async () => {
  assert.equal(await page.title(), 'mockpinme inspector');
  await page.waitForFunction(() => document.getElementById('scenario-badge').textContent === 'default');
  assert.equal(await page.textContent('#live'), 'live');
  assert.deepEqual(pageErrors, []);
});

test('a request appears within a second, without reload', async () => {
  const response = await chat({});
  assert.equal(response.status, 200);
  const { body } = await control('GET', 'requests?limit=1');
  const id = body.requests[0].id;
  const row = `#requests tr[data-id="${id}"]`;
  await page.waitForSelector(row, { timeout: 1000 });
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('fallback'), row, { timeout: 1000 });
  assert.match(await page.textContent(row), /POST\s*\/api\/v1\/chat\/completions\s*200/);
  await page.click(row);
  await page.waitForSelector('#answered-by');
  assert.equal(await page.textContent('#answered-by'), 'fallback');
  const answer = JSON.parse(await page.textContent('#answer-body'));
  assert.equal(answer.object, 'chat.completion');
  assert.equal(answer.choices[0].message.content, (await response.json()).choices[0].message.content);
  const headers = await page.textContent('.detail');
  assert.ok(!headers.includes(KEY), 'the key is masked');
  assert.ok(headers.includes(`${KEY.slice(0, 2)}…${KEY.slice(-2)}`));
});

test('a stream shows one mark per event and its time to first token', async () => {
  const response = await chat({ stream: true }, { 'X-Mockpinme-Scenario': 'slow-stream' });
  const blocks = await sseBlocks(response);
  const { body } = await control('GET', 'requests?limit=1');
  const entry = body.requests[0];
  assert.equal(entry.timeline.events.length, blocks.length, 'the journal kept one event per write');
  await page.click(`#requests tr[data-id="${entry.id}"]`);
  await page.waitForSelector('svg.timeline');
  const marks = await page.$$eval('svg.timeline .mark', (nodes) => nodes.map((n) => ({
    kind: n.dataset.kind, at: Number(n.dataset.at), x: Number(n.getAttribute('x')),
  })));
  assert.equal(marks.length, blocks.length, 'one mark per event the client received');
  const kinds = blocks.map((b) => (b.startsWith(':') ? 'keepalive' : b === 'data: [DONE]' ? 'done' : 'data'));
  assert.deepEqual(marks.map((m) => (m.kind === 'keepalive' || m.kind === 'done' ? m.kind : 'data')), kinds);
  for (let i = 1; i < marks.length; i += 1) assert.ok(marks[i].x >= marks[i - 1].x, 'marks in time order');
  const firstContent = marks.find((m) => m.kind === 'content');
  assert.equal(firstContent.at, entry.timeline.events.find((e) => e.kind === 'content').at_ms);
  const ttftText = await page.textContent('#ttft');
  assert.match(ttftText, /^TTFT \d/);
  assert.equal(await page.textContent('svg.timeline .ttft-label'), ttftText);
  const line = Number(await page.getAttribute('svg.timeline line.ttft', 'x1'));
  assert.ok(Math.abs(line - (firstContent.x + 1.5)) < 0.01, 'the TTFT line stands at the first content mark');
  const keepalives = marks.filter((m) => m.kind === 'keepalive');
  assert.ok(keepalives.length >= 3 && keepalives.every((m) => m.x < line), 'the keep-alives came before the first token');
  assert.ok(await page.$('svg.gaps .bar'), 'the gap histogram is drawn');
  await shot('stream-timeline');
});

test('switching scenario on the page changes the next answer', async () => {
  await page.click('#tab-scenario');
  await page.waitForSelector('#sc-select option[value="low-balance"]', { state: 'attached' });
  await page.selectOption('#sc-select', 'low-balance');
  const loads = Number(await page.getAttribute('#panel-scenario', 'data-loads'));
  assert.equal((await chat({})).status, 200);
  await page.waitForFunction((before) => Number(document.getElementById('panel-scenario').dataset.loads) > before, loads);
  assert.equal(await page.inputValue('#sc-select'), 'low-balance', 'a refresh keeps the choice not yet switched to');
  await page.click('#switch-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sc-message').textContent === 'now serving low-balance');
  const refused = await chat({});
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).data.error, /Insufficient balance/);
  await page.waitForFunction(() => document.getElementById('sc-name').textContent === 'low-balance');
  assert.match(await page.textContent('#sc-yaml'), /balance_usd: 0/);
  await shot('scenario');
  await page.selectOption('#sc-select', 'rate-limited');
  await page.click('#switch-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sc-message').textContent === 'now serving rate-limited');
  assert.equal((await chat({})).status, 200);
  await page.waitForSelector('#sc-limits .bar-row');
  assert.match(await page.textContent('#sc-limits'), /1 \/ 2 a minute/);
  await page.selectOption('#sc-select', 'default');
  await page.click('#switch-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('sc-message').textContent === 'now serving default');
  assert.equal((await chat({})).status, 200);
});

test('the keyboard reaches everything: tabs by arrows, rows by arrows and Enter', async () => {
  await page.focus('#tab-scenario');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-requests');
  assert.equal(await page.isVisible('#panel-requests'), true);
  await page.focus('#requests tbody tr:first-child');
  await page.keyboard.press('ArrowDown');
  const id = await page.evaluate(() => document.activeElement.dataset.id);
  await page.keyboard.press('Enter');
  await page.waitForFunction((want) => document.getElementById('detail').dataset.id === want, id);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), id, 'focus stays in the list');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-path');
  await page.keyboard.type('models');
  assert.equal(await page.$$eval('#requests tbody tr', (rows) => rows.length), 0, 'the filter hides the chat calls');
  await page.fill('#f-path', '');
  await page.fill('#f-status', '4xx');
  const statuses = await page.$$eval('#requests tbody tr .status', (cells) => cells.map((c) => c.textContent));
  assert.ok(statuses.length >= 1 && statuses.every((s) => s.startsWith('4')), statuses.join());
  await page.fill('#f-status', '');
});

test('the outbox tab shows the mail, or says it is not available', async () => {
  const outbox = await fetch(`${BASE}/__mockpinme/outbox`);
  await page.click('#tab-outbox');
  if (outbox.status === 404) {
    await page.waitForFunction(() => /not available/.test(document.getElementById('outbox').textContent));
    return;
  }
  const sent = await fetch(`${BASE}/api/v4/send_email`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY },
    body: JSON.stringify({ to: 'ada@example.com', subject: 'Inspector test', html: '<p>Hi <a href="https://example.com/x">link</a></p>' }),
  });
  assert.equal(sent.status, 200);
  await page.click('#tab-requests');
  await page.click('#tab-outbox');
  await page.waitForSelector('.mail-frame');
  assert.match(await page.textContent('#outbox'), /Inspector test/);
  const frame = page.frameLocator('.mail-frame');
  assert.equal(await frame.locator('a').getAttribute('href'), 'https://example.com/x');
  await shot('outbox');
});

test('no uncaught error in the page', async () => {
  await page.click('#tab-requests');
  await page.click('#requests tbody tr:first-child');
  await shot('requests');
  assert.deepEqual(pageErrors, []);
});
