// The inspector page: live journal, request detail, scenario controls, outbox and users.
// Plain DOM; every value from the server goes in as text, never as markup.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const chart = window.MockpinmeChart;
  const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'x-mockpinme-token', 'cookie', 'set-cookie']);
  const MAX_ROWS = 1000;
  const requests = new Map(); // id -> brief entry
  let selected = null;
  let token = sessionStorage.getItem('mockpinme-token') || '';

  const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromHash) {
    token = decodeURIComponent(fromHash[1]);
    sessionStorage.setItem('mockpinme-token', token);
    history.replaceState(null, '', location.pathname + location.search);
  }

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function mask(value) {
    if (!value) return '-';
    if (value.includes('…')) return value; // the server masks secrets already
    return value.length > 6 ? `${value.slice(0, 2)}…${value.slice(-2)}` : '…';
  }

  async function api(path, options = {}) {
    const headers = { ...(options.headers || {}) };
    if (token) headers['X-Mockpinme-Token'] = token;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      options = { ...options, body: JSON.stringify(options.json) };
    }
    const response = await fetch(path, { ...options, headers });
    if (response.status === 401 || response.status === 403) askToken();
    return response;
  }

  function askToken() {
    $('token-form').hidden = false;
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem('mockpinme-token', token);
    $('token-form').hidden = true;
    start();
  });

  // Tabs: arrow keys move between them, as the ARIA tabs pattern has it.
  const tabs = [...document.querySelectorAll('[role=tab]')];
  function showTab(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    if (tab.id === 'tab-scenario') loadScenario();
    if (tab.id === 'tab-outbox') loadOutbox();
    if (tab.id === 'tab-users') loadUsers();
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => showTab(tab, false));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) showTab(tabs[(i + step + tabs.length) % tabs.length], true);
      if (event.key === 'Home') showTab(tabs[0], true);
      if (event.key === 'End') showTab(tabs[tabs.length - 1], true);
    });
  });

  // ---- the live list ----
  const filters = ['f-path', 'f-status', 'f-rule', 'f-scenario'].map($);
  filters.forEach((input) => input.addEventListener('input', renderList));

  function statusMatches(status, wanted) {
    if (!wanted) return true;
    return wanted.split(/[\s,]+/).filter(Boolean).some((w) => {
      const s = String(status ?? '');
      return /x/i.test(w) ? s[0] === w[0] : s === w;
    });
  }

  function visible(r) {
    const [path, status, rule, scenario] = filters.map((f) => f.value.trim().toLowerCase());
    return (!path || r.path.toLowerCase().includes(path))
      && statusMatches(r.status, status)
      && (!rule || `${r.rule || ''} ${r.error || ''}`.toLowerCase().includes(rule))
      && (!scenario || (r.scenario || '').toLowerCase().includes(scenario));
  }

  function statusClass(status) {
    if (status == null) return 'pending';
    return status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad';
  }

  function streamCell(r) {
    if (!r.stream) return '';
    const t = r.timeline;
    if (!t) return r.status == null ? 'streaming…' : 'stream';
    const ttft = t.ttft_ms != null ? chart.fmt(t.ttft_ms) : 'no tokens';
    return `${ttft} · ${t.chunks} · ${t.ended || '?'}`;
  }

  function row(r) {
    const time = new Date(r.started_at * 1000).toLocaleTimeString([], { hour12: false });
    const tr = h('tr', {
      tabindex: 0, 'data-id': r.id, 'aria-selected': String(r.id === selected), class: `row ${statusClass(r.status)}`,
      onclick: () => select(r.id), onkeydown: rowKeys,
    },
    h('td', { class: 'num' }, r.id),
    h('td', { class: 'num' }, time),
    h('td', {}, h('span', { class: 'method' }, r.method), ' ', r.path),
    h('td', {}, h('span', { class: `status ${statusClass(r.status)}` }, r.status ?? '…')),
    h('td', { class: 'rule', title: r.error || r.rule || '' }, r.error ? h('span', { class: 'err' }, r.error) : (r.rule || '')),
    h('td', { class: 'stream' }, streamCell(r)),
    h('td', { class: 'num' }, r.duration_ms != null ? r.duration_ms.toFixed(1) : ''));
    return tr;
  }

  function rowKeys(event) {
    const tr = event.currentTarget;
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); select(Number(tr.dataset.id)); }
    const next = { ArrowDown: tr.nextElementSibling, ArrowUp: tr.previousElementSibling }[event.key];
    if (next) { event.preventDefault(); next.focus(); }
  }

  function renderList() {
    const body = document.querySelector('#requests tbody');
    const all = [...requests.values()].sort((a, b) => b.id - a.id);
    const shown = all.filter(visible);
    const focusedId = document.activeElement?.dataset?.id;
    body.replaceChildren(...shown.map(row));
    if (focusedId) body.querySelector(`tr[data-id="${focusedId}"]`)?.focus();
    $('count').textContent = shown.length === all.length ? `${all.length} requests` : `${shown.length} of ${all.length}`;
    $('list-empty').hidden = all.length > 0;
  }

  let pending = false;
  function scheduleRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; renderList(); });
  }

  function upsert(r) {
    requests.set(r.id, { ...(requests.get(r.id) || {}), ...r });
    if (requests.size > MAX_ROWS) requests.delete(Math.min(...requests.keys()));
  }

  // The feed: read with fetch (it can send the token; EventSource cannot), merged with the list.
  let feedAbort = null;
  async function follow() {
    feedAbort?.abort();
    feedAbort = new AbortController();
    const live = $('live');
    try {
      const response = await api('events', { signal: feedAbort.signal });
      if (!response.ok) throw new Error(`events: ${response.status}`);
      live.textContent = 'live';
      live.className = 'live on';
      const list = await (await api('inspector/requests')).json();
      for (const r of list.requests) upsert(r);
      renderList();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
          if (data) onEvent(JSON.parse(data));
        }
      }
      throw new Error('the feed ended');
    } catch (err) {
      if (err.name === 'AbortError') return;
      live.textContent = 'reconnecting…';
      live.className = 'live off';
      setTimeout(follow, 1500);
    }
  }

  function onEvent(e) {
    if (e.event === 'clear') {
      requests.clear();
      selected = null;
      $('detail').replaceChildren(h('p', { class: 'hint' }, 'The journal was reset.'));
    } else {
      const { event, lost_before, ...r } = e;
      upsert(r);
      if (event === 'end' && r.id === selected) select(r.id, true);
      if (event === 'end' && /send_email|\/auth\//.test(r.path)) { refreshOutbox(); refreshUsers(); }
    }
    scheduleRender();
    if (!$('panel-scenario').hidden && e.event === 'end') loadScenario();
  }

  // ---- one request ----
  function section(title, ...content) {
    return h('section', { class: 'part' }, h('h3', {}, title), ...content);
  }

  function pretty(text) {
    if (text == null) return '';
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
  }

  function headerTable(headers) {
    const rows = Object.entries(headers || {}).map(([k, v]) =>
      h('tr', {}, h('th', {}, k), h('td', {}, SECRET_HEADERS.has(k.toLowerCase()) ? mask(v) : v)));
    return rows.length ? h('table', { class: 'kv' }, h('tbody', {}, rows)) : h('p', { class: 'muted' }, 'none');
  }

  function whyBlock(d) {
    const why = d.why;
    if (!why) return h('p', { class: 'muted' }, d.error ? `answered by the error ${d.error}` : 'not a chat call');
    const items = why.rules.map((r) => h('li', { class: r.matched ? 'matched' : 'missed' },
      h('code', {}, r.rule), r.matched ? ' matched' : ` did not match: ${r.failed.join(', ')}`));
    return h('div', {},
      h('p', {}, 'answered by ', h('b', { id: 'answered-by' }, d.rule || d.error || '—')),
      items.length ? h('ol', { class: 'why' }, items) : null,
      why.closest ? h('p', { class: 'muted' }, why.closest) : null,
      why.note ? h('p', { class: 'muted' }, why.note) : null);
  }

  function timelineBlock(t) {
    if (!t) return null;
    const width = $('detail').clientWidth - 40;
    const { svg, stats } = chart.gaps(t.gaps_ms, width);
    const counts = {};
    for (const e of t.events) counts[e.kind] = (counts[e.kind] || 0) + 1;
    const legend = Object.entries(counts).map(([k, n]) => h('span', { class: `key k-${k}` }, `${k} ${n}`));
    return section('Stream timeline',
      h('p', { class: 'facts' },
        h('span', { id: 'ttft' }, t.ttft_ms != null ? `TTFT ${chart.fmt(t.ttft_ms)}` : 'no tokens'),
        h('span', {}, `${t.events.length} events`), h('span', {}, `${t.chunks} content chunks`),
        h('span', { class: `end end-${t.ended}` }, `ended: ${t.ended}`)),
      h('div', { class: 'chart' }, chart.timeline(t, width)),
      h('div', { class: 'legend' }, legend),
      h('h4', {}, 'Gaps between tokens'),
      stats.p50 != null
        ? h('p', { class: 'facts' }, `p50 ${chart.fmt(stats.p50)}`, ' · ', `p90 ${chart.fmt(stats.p90)}`, ' · ', `max ${chart.fmt(stats.max)}`)
        : null,
      svg);
  }

  async function select(id, quiet) {
    selected = id;
    document.querySelectorAll('#requests tr').forEach((tr) => tr.setAttribute('aria-selected', String(Number(tr.dataset.id) === id)));
    const response = await api(`requests/${id}`);
    if (selected !== id) return;
    const detail = $('detail');
    if (!response.ok) {
      detail.replaceChildren(h('p', { class: 'hint' }, `request ${id} is no longer in the journal`));
      return;
    }
    const d = await response.json();
    const query = new URLSearchParams(d.query).toString();
    const answer = d.answer || {};
    detail.replaceChildren(...[
      h('header', { class: 'detail-head' },
        h('h2', {}, h('span', { class: 'method' }, d.method), ' ', d.path, query ? `?${query}` : ''),
        h('p', { class: 'facts' },
          h('span', { class: `status ${statusClass(d.status)}` }, d.status ?? '…'),
          h('span', {}, `scenario ${d.scenario}`),
          d.duration_ms != null ? h('span', {}, `${d.duration_ms.toFixed(1)} ms`) : null,
          d.balance_usd != null ? h('span', {}, `balance left $${d.balance_usd}`) : null,
          d.cancelled ? h('span', { class: 'err' }, 'client left') : null)),
      section('Rule', whyBlock(d)),
      timelineBlock(d.timeline),
      section('Request headers', headerTable(d.headers)),
      section('Request body', h('pre', { class: 'code' }, d.json != null ? JSON.stringify(d.json, null, 2) : '(none)')),
      section('Answer headers', headerTable(answer.headers)),
      section(`Answer body${answer.cut_bytes ? ` (cut: ${answer.cut_bytes} more bytes)` : ''}`,
        h('pre', { class: 'code', id: 'answer-body' }, d.stream ? (answer.body || '') : pretty(answer.body) || '(none)')),
    ].filter(Boolean));
    detail.dataset.id = String(id);
    if (!quiet) detail.scrollTop = 0;
  }

  // ---- the scenario ----
  function bar(label, used, total, text) {
    const share = total ? Math.max(0, Math.min(1, used / total)) : 0;
    return h('div', { class: 'bar-row' },
      h('span', { class: 'bar-label' }, label),
      h('span', { class: 'bar-track', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': total || 0, 'aria-valuenow': used, 'aria-label': label },
        h('span', { class: `bar-fill ${share > 0.85 ? 'hot' : ''}`, style: `width:${(share * 100).toFixed(1)}%` })),
      h('span', { class: 'bar-text' }, text));
  }

  let scenarioBusy = false;
  let scenarioAgain = false;
  let scenarioChoice = null;
  async function loadScenario() {
    if (scenarioBusy) { scenarioAgain = true; return; }
    scenarioBusy = true;
    try {
      const response = await api('inspector/scenario');
      if (!response.ok) return;
      const s = await response.json();
      const panel = $('panel-scenario');
      panel.dataset.loads = String(Number(panel.dataset.loads || 0) + 1);
      $('scenario-badge').textContent = s.name;
      $('sc-name').textContent = s.name;
      $('sc-description').textContent = s.description;
      $('sc-clock').textContent = s.clock_s.toFixed(1);
      $('sc-speed').textContent = s.speed;
      $('sc-yaml').textContent = s.yaml;
      const select = $('sc-select');
      const names = s.builtins.map((b) => b.name);
      if ([...select.options].map((o) => o.value).join('\n') !== names.join('\n')) {
        select.replaceChildren(...s.builtins.map((b) => h('option', { value: b.name, title: b.description }, b.name)));
      }
      select.value = scenarioChoice ?? s.name;
      const balances = Object.entries(s.balances).map(([p, b]) => bar(p === '*' ? '* (each project)' : p, b.now_usd ?? 0, b.start_usd ?? b.now_usd ?? 0,
        `$${(b.now_usd ?? 0).toFixed(6)} of $${(b.start_usd ?? 0).toFixed(6)}`));
      $('sc-balances').replaceChildren(...(balances.length ? balances : [h('p', { class: 'muted' }, 'no project has a balance in this scenario')]));
      const rl = s.rate_limits;
      const windows = Object.entries(rl.windows).flatMap(([key, w]) => [
        rl.requests_per_minute ? bar(`${key} requests`, w.requests, rl.requests_per_minute, `${w.requests} / ${rl.requests_per_minute} a minute`) : null,
        rl.tokens_per_minute ? bar(`${key} tokens`, w.tokens, rl.tokens_per_minute, `${w.tokens} / ${rl.tokens_per_minute} a minute`) : null,
      ]).filter(Boolean);
      const none = rl.requests_per_minute || rl.tokens_per_minute ? 'no calls in the window' : 'no rate limits in this scenario';
      $('sc-limits').replaceChildren(...(windows.length ? windows : [h('p', { class: 'muted' }, none)]));
    } finally {
      scenarioBusy = false;
      if (scenarioAgain) { scenarioAgain = false; loadScenario(); }
    }
  }

  function say(text, bad) {
    const m = $('sc-message');
    m.textContent = text;
    m.className = bad ? 'message bad' : 'message';
  }

  $('sc-select').addEventListener('change', (event) => { scenarioChoice = event.target.value; });
  $('switch-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('sc-select').value;
    const response = await api('scenario', { method: 'PUT', json: { name } });
    const body = await response.json().catch(() => ({}));
    if (response.ok) scenarioChoice = null;
    say(response.ok ? `now serving ${body.scenario}` : (body.error?.message || `failed: ${response.status}`), !response.ok);
    loadScenario();
  });
  $('reset').addEventListener('click', async () => {
    const response = await api('reset', { method: 'POST', json: {} });
    say(response.ok ? 'reset' : `reset failed: ${response.status}`, !response.ok);
    loadScenario();
  });
  $('clock-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await api('clock', { method: 'POST', json: { advance_s: Number($('advance').value) } });
    const body = await response.json().catch(() => ({}));
    say(response.ok ? `clock at ${body.clock_s} s` : (body.error?.message || `failed: ${response.status}`), !response.ok);
    loadScenario();
  });

  // ---- outbox and users: tabs that light up once the server has them ----
  function unavailable(what) {
    return h('p', { class: 'hint' }, `${what} not available on this server (this version of mockpinme has no ${what.toLowerCase()} yet).`);
  }

  let outboxSelected = null;
  async function loadOutbox() {
    const response = await api('outbox');
    const box = $('outbox');
    if (response.status === 404) { box.replaceChildren(unavailable('Outbox')); return; }
    if (!response.ok) return;
    const emails = (await response.json()).emails || [];
    if (!emails.length) { box.replaceChildren(h('p', { class: 'hint' }, 'No mail sent yet.')); return; }
    const list = h('ul', { class: 'mails', 'aria-label': 'Mails, newest first' }, [...emails].reverse().map((m) =>
      h('li', {}, h('button', { type: 'button', class: m.id === outboxSelected ? 'mail on' : 'mail', onclick: () => { outboxSelected = m.id; loadOutbox(); } },
        h('b', {}, m.subject || '(no subject)'), h('span', { class: 'muted' }, ` to ${m.to} · from ${m.from}`)))));
    const mail = emails.find((m) => m.id === outboxSelected) || emails[emails.length - 1];
    const frame = h('iframe', {
      class: 'mail-frame', title: `Mail: ${mail.subject}`,
      sandbox: 'allow-popups allow-popups-to-escape-sandbox',
      srcdoc: `<base target="_blank">${mail.html || ''}`,
    });
    const links = (mail.links || []).map((href) => h('li', {}, h('a', { href, target: '_blank', rel: 'noopener' }, href)));
    box.replaceChildren(h('div', { class: 'split' }, list, h('div', { class: 'mail-view' },
      h('h3', {}, mail.subject || '(no subject)'),
      h('p', { class: 'muted' }, `to ${mail.to} · from ${mail.from} · ${mail.sent_at ?? ''}`),
      frame, links.length ? h('ul', { class: 'links' }, links) : null)));
  }
  function refreshOutbox() { if (!$('panel-outbox').hidden) loadOutbox(); }

  async function loadUsers() {
    const response = await api('auth/users');
    const box = $('users');
    if (response.status === 404) { box.replaceChildren(unavailable('Users')); return; }
    if (!response.ok) return;
    const users = (await response.json()).users || [];
    if (!users.length) { box.replaceChildren(h('p', { class: 'hint' }, 'No users yet.')); return; }
    const keys = ['uid', 'email', 'display_name', 'email_verified', 'disabled', 'project'];
    box.replaceChildren(h('table', { class: 'kv users' },
      h('thead', {}, h('tr', {}, keys.map((k) => h('th', {}, k)))),
      h('tbody', {}, users.map((u) => h('tr', {}, keys.map((k) => h('td', {}, u[k] ?? '')))))));
  }
  function refreshUsers() { if (!$('panel-users').hidden) loadUsers(); }

  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && !/INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) {
      event.preventDefault();
      showTab(tabs[0], false);
      $('f-path').focus();
    }
  });

  function start() {
    follow();
    loadScenario();
  }
  start();
})();
