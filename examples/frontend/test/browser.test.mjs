// The front end in a real browser: Debian's Chromium (driven by playwright-core) opens
// examples/frontend/ served on 127.0.0.1, the page calls the example Worker running on the Workers
// runtime in Miniflare, and the Worker calls mockpinme, one process per scenario.
//
//   MOCKPINME   the mockpinme command (default: `mockpinme` on PATH)
//   CHROMIUM    the browser (default: /usr/bin/chromium)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStatic, startWorker } from '../serve.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = join(HERE, 'screenshots');
const MOCKPINME = (process.env.MOCKPINME || 'mockpinme').split(/\s+/).filter(Boolean);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Scenario pace: slow-stream's 3 s wait and 10 chunks/s, four times faster (first content after
// ~0.75 s, then ~40 chunks/s for about half a second); mid-stream-error at half speed, so its three
// chunks and the error arrive well apart.
const STACKS = {
  'slow-stream': { speed: 4 },
  'low-balance': { speed: 1 },
  'mid-stream-error': { speed: 0.5 },
  'truncated-stream': { speed: 1 },
  'dropped-stream': { speed: 1 },
  // The Worker ends a stream that stays silent for STREAM_IDLE_MS with its own error event.
  'stalled-stream': { speed: 1, bindings: { STREAM_IDLE_MS: '500' } },
};
const SLOW_STREAM_TTFT_MS = 3000 / STACKS['slow-stream'].speed;

// Everything started here, stopped in after() (and on exit, should after() never run).
const children = new Set();
const cleanups = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// `mockpinme serve` prints one line with its URL once it listens.
function startMock(scenario, speed) {
  const [cmd, ...pre] = MOCKPINME;
  const args = [...pre, 'serve', '--port', '0', '--speed', String(speed), '--scenario', scenario];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const url = new Promise((resolveUrl, reject) => {
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /mockpinme listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolveUrl(m[1]);
    });
    child.on('error', (err) => reject(new Error(`cannot run ${cmd} (set MOCKPINME): ${err.message}`)));
    child.on('exit', (code) => reject(new Error(`mockpinme (${scenario}) exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return children.delete(child);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await withTimeout(exited, 5_000, 'mockpinme stop').catch(() => child.kill('SIGKILL'));
  children.delete(child);
}

// In the page, before app.js runs: sample the lengths of the output, error and notice areas every
// 10 ms from the moment Send is clicked, and keep every change of them in order.
function traceScript() {
  window.__trace = { clickedAt: null, samples: [], changes: [] };
  document.addEventListener('DOMContentLoaded', () => {
    const ids = ['output', 'error', 'notice'];
    const lengths = () => Object.fromEntries(ids.map((id) => [id, document.getElementById(id).textContent.length]));
    document.getElementById('send').addEventListener('click', () => {
      const t0 = performance.now();
      window.__trace.clickedAt = t0;
      const timer = setInterval(() => {
        window.__trace.samples.push({ t: performance.now() - t0, ...lengths() });
        if (window.__trace.samples.length > 2000) clearInterval(timer);
      }, 10);
    }, true);
    new MutationObserver(() => {
      window.__trace.changes.push({ t: performance.now(), ...lengths() });
    }).observe(document.getElementById('output').parentNode, { childList: true, characterData: true, subtree: true });
  });
}

let browser; // a persistent BrowserContext on a fresh profile
let staticUrl;
const workers = {}; // scenario -> the Worker's URL

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'frontend-chromium-'));
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
  // launchPersistentContext passes `--user-data-dir=${profile}` itself (launch() refuses that flag).
  const launched = chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
    ],
    viewport: { width: 900, height: 640 },
    timeout: 30_000,
  }).then((context) => { browser = context; });
  const stacks = Object.entries(STACKS).map(async ([scenario, { speed, bindings }]) => {
    const mock = startMock(scenario, speed);
    const baseUrl = await withTimeout(mock.url, 15_000, `mockpinme ${scenario} start`);
    const worker = await startWorker({
      baseUrl,
      bindings: { API_KEY: 'frontend-test-key', PROJECT_NAME: 'demo', ...bindings },
    });
    cleanups.push(worker.close);
    workers[scenario] = worker.url;
  });
  const page = startStatic().then((server) => { cleanups.push(server.close); staticUrl = server.url; });
  await Promise.all([launched, page, ...stacks]);
}, { timeout: 45_000 });

after(async () => {
  const bounded = (what, fn) => withTimeout(Promise.resolve().then(fn), 10_000, what).catch((err) => {
    console.error(`cleanup: ${err.message}`);
  });
  await bounded('browser close', () => browser?.close());
  await Promise.all([...children].map((child) => bounded('mockpinme stop', () => stopChild(child))));
  for (const cleanup of cleanups.reverse()) await bounded('cleanup', cleanup);
}, { timeout: 45_000 });

// Opens the page against the scenario's Worker, asks, and waits for the final state.
async function ask(scenario, question, finalStates) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.setDefaultTimeout(15_000);
  await page.addInitScript(traceScript);
  await page.goto(`${staticUrl}/index.html?api=${encodeURIComponent(workers[scenario])}`);
  await page.fill('#question', question);
  await page.click('#send');
  await page.waitForFunction(
    (states) => states.includes(document.body.dataset.state), finalStates, { timeout: 15_000 },
  );
  const result = await page.evaluate(() => ({
    state: document.body.dataset.state,
    output: document.getElementById('output').textContent,
    error: document.getElementById('error').textContent,
    notice: document.getElementById('notice').textContent,
    trace: window.__trace,
  }));
  await page.screenshot({ path: join(SCREENSHOTS, `${scenario}.png`), fullPage: true });
  await page.close();
  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  return result;
}

test('slow-stream: the answer appears incrementally, after the keep-alive wait', { timeout: 30_000 }, async (t) => {
  const r = await ask('slow-stream', 'Tell me something slowly.', ['done', 'error', 'incomplete']);
  assert.equal(r.error, '', 'no error shown');
  assert.equal(r.state, 'done');
  assert.equal(r.notice, '', 'no incomplete notice');
  assert.ok(r.output.trim().length > 0, 'the final text is not empty');

  const samples = r.trace.samples;
  const first = samples.find((s) => s.output > 0);
  assert.ok(first, 'some text was sampled');
  assert.ok(first.t >= SLOW_STREAM_TTFT_MS * 0.7,
    `the first text came ${first.t.toFixed(0)} ms after Send, not before the ~${SLOW_STREAM_TTFT_MS} ms wait`);
  assert.ok(samples.some((s) => s.t < first.t && s.output === 0), 'the output was sampled empty while waiting');
  const lengths = samples.map((s) => s.output);
  for (let i = 1; i < lengths.length; i += 1) assert.ok(lengths[i] >= lengths[i - 1], 'the text only grows');
  const distinct = [...new Set(lengths.filter((n) => n > 0 && n < r.output.length))];
  t.diagnostic(`first text ${first.t.toFixed(0)} ms after Send; ${samples.length} samples; `
    + `${distinct.length} partial lengths before the final ${r.output.length}`);
  assert.ok(distinct.length >= 5,
    `several partial lengths before the final ${r.output.length} (saw ${distinct.length}: ${distinct.join(', ')})`);
});

test('low-balance: the Worker\'s error message is shown', { timeout: 30_000 }, async () => {
  const r = await ask('low-balance', 'Hello?', ['done', 'error', 'incomplete']);
  assert.equal(r.state, 'error');
  assert.match(r.error, /Insufficient balance, please recharge to continue using LLM service/);
  assert.equal(r.output, '');
});

test('mid-stream-error: the partial text stays and then the in-band error is shown', { timeout: 30_000 }, async () => {
  const r = await ask('mid-stream-error', 'Tell me a story.', ['done', 'error', 'incomplete']);
  assert.equal(r.state, 'error');
  assert.ok(r.output.trim().length > 0, 'the partial text is kept');
  assert.match(r.error, /Provider disconnected/);
  const changes = r.trace.changes;
  const firstText = changes.findIndex((c) => c.output > 0);
  const firstError = changes.findIndex((c) => c.error > 0);
  assert.ok(firstText >= 0 && firstError > firstText, 'text appeared before the error');
  assert.ok(changes[firstError - 1].output > 0 && changes[firstError - 1].error === 0, 'text shown while no error yet');
});

test('truncated-stream: a stream that just stops is reported as an incomplete answer', { timeout: 30_000 }, async () => {
  const r = await ask('truncated-stream', 'Tell me a story.', ['done', 'error', 'incomplete']);
  assert.equal(r.state, 'incomplete');
  assert.ok(r.output.trim().length > 0, 'the partial text is kept');
  assert.match(r.notice, /Incomplete answer/);
  assert.equal(r.error, '');
});

test('stalled-stream: the Worker\'s stall event is shown as the error', { timeout: 30_000 }, async () => {
  const r = await ask('stalled-stream', 'Tell me a story.', ['done', 'error', 'incomplete']);
  assert.equal(r.state, 'error');
  assert.ok(r.output.trim().length > 0, 'the partial text is kept');
  assert.match(r.error, /upstream stream stalled/);
});

test('dropped-stream: a reset upstream is never shown as a finished answer', { timeout: 30_000 }, async (t) => {
  const r = await ask('dropped-stream', 'Tell me a story.', ['done', 'error', 'incomplete']);
  t.diagnostic(`state ${r.state}; error ${JSON.stringify(r.error)}; notice ${JSON.stringify(r.notice)}`);
  // Through the Worker the reset arrives either as a connection error or as a stream that just
  // ends (no finish chunk, no [DONE]); both must be reported, the partial text kept.
  assert.notEqual(r.state, 'done');
  assert.ok(r.output.trim().length > 0, 'the partial text is kept');
  assert.ok(r.error || r.notice, 'an error or the incomplete-answer notice is shown');
});
