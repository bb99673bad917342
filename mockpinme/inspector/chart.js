// Stream timeline and gap histogram, drawn as plain SVG (no library).
'use strict';

(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const LANES = [
    ['keepalive', ['keepalive']],
    ['frame', ['opening', 'finish', 'usage', 'data', 'part']],
    ['reasoning', ['reasoning']],
    ['content', ['content']],
    ['tool call', ['tool_call']],
    ['end / error', ['done', 'error', 'malformed', 'reset', 'stall']],
  ];
  const laneOf = {};
  LANES.forEach(([, kinds], i) => kinds.forEach((k) => { laneOf[k] = i; }));

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  function niceStep(span, ticks) {
    const raw = span / ticks;
    const power = 10 ** Math.floor(Math.log10(raw || 1));
    const m = raw / power;
    return (m >= 5 ? 10 : m >= 2 ? 5 : m >= 1 ? 2 : 1) * power;
  }

  function fmt(ms) {
    return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  }

  // One mark per event, in lanes by kind, over time from the request; TTFT as a dashed line.
  function timeline(timelineData, width) {
    const events = timelineData.events;
    const W = Math.max(360, width), left = 86, right = 16, top = 22, laneH = 22;
    const H = top + LANES.length * laneH + 30;
    const end = Math.max(1, ...events.map((e) => e.at_ms));
    const x = (ms) => left + (ms / end) * (W - left - right);
    const svg = el('svg', { class: 'timeline', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img' });
    el('title', {}, svg).textContent = `Stream timeline: ${events.length} events over ${fmt(end)}`;
    LANES.forEach(([name], i) => {
      const y = top + i * laneH;
      el('rect', { x: left, y, width: W - left - right, height: laneH, class: i % 2 ? 'lane odd' : 'lane' }, svg);
      const label = el('text', { x: left - 8, y: y + laneH / 2 + 4, class: 'lane-label', 'text-anchor': 'end' }, svg);
      label.textContent = name;
    });
    const step = niceStep(end, 6);
    const axisY = top + LANES.length * laneH;
    for (let t = 0; t <= end + 1e-9; t += step) {
      el('line', { x1: x(t), x2: x(t), y1: top, y2: axisY + 4, class: 'grid' }, svg);
      const tick = el('text', { x: x(t), y: axisY + 17, class: 'tick', 'text-anchor': 'middle' }, svg);
      tick.textContent = fmt(t);
    }
    events.forEach((e, i) => {
      const lane = laneOf[e.kind] ?? 1;
      const y = top + lane * laneH + 4;
      const mark = el('rect', {
        x: x(e.at_ms) - 1.5, y, width: 3, height: laneH - 8, rx: 1,
        class: `mark k-${e.kind}`, 'data-kind': e.kind, 'data-index': i, 'data-at': e.at_ms,
      }, svg);
      el('title', {}, mark).textContent = `#${i + 1} ${e.kind} · ${e.size} B · at ${e.at_ms.toFixed(1)} ms`;
    });
    if (timelineData.ttft_ms != null) {
      const tx = x(timelineData.ttft_ms);
      el('line', { x1: tx, x2: tx, y1: top - 4, y2: axisY, class: 'ttft' }, svg);
      const label = el('text', { x: Math.min(tx + 4, W - 120), y: top - 8, class: 'ttft-label' }, svg);
      label.textContent = `TTFT ${fmt(timelineData.ttft_ms)}`;
    }
    return svg;
  }

  function quantile(sorted, q) {
    if (!sorted.length) return null;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
    return sorted[i];
  }

  // The gaps between token events as a histogram of ten bins, with p50, p90 and max.
  function gaps(values, width) {
    const sorted = [...values].sort((a, b) => a - b);
    const W = Math.max(260, Math.min(width, 520)), H = 120, left = 36, bottom = 24, top = 10;
    const svg = el('svg', { class: 'gaps', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img' });
    const stats = { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), max: sorted[sorted.length - 1] };
    el('title', {}, svg).textContent = sorted.length
      ? `Gaps between tokens: p50 ${fmt(stats.p50)}, p90 ${fmt(stats.p90)}, max ${fmt(stats.max)}`
      : 'No gaps: fewer than two token events';
    if (!sorted.length) return { svg, stats };
    const lo = sorted[0], hi = Math.max(sorted[sorted.length - 1], lo + 1e-6), bins = 10;
    const counts = new Array(bins).fill(0);
    for (const v of sorted) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))] += 1;
    const most = Math.max(...counts);
    const bw = (W - left - 8) / bins;
    counts.forEach((c, i) => {
      const h = (c / most) * (H - top - bottom);
      const bar = el('rect', { x: left + i * bw + 1, y: H - bottom - h, width: bw - 2, height: h, class: 'bar' }, svg);
      el('title', {}, bar).textContent = `${c} gap(s) of ${fmt(lo + (i * (hi - lo)) / bins)}–${fmt(lo + ((i + 1) * (hi - lo)) / bins)}`;
    });
    el('line', { x1: left, x2: W - 8, y1: H - bottom, y2: H - bottom, class: 'axis' }, svg);
    [[lo, 'start'], [hi, 'end']].forEach(([v, anchor], i) => {
      el('text', { x: i ? W - 8 : left, y: H - 8, class: 'tick', 'text-anchor': anchor }, svg).textContent = fmt(v);
    });
    el('text', { x: left - 6, y: top + 8, class: 'tick', 'text-anchor': 'end' }, svg).textContent = String(most);
    return { svg, stats };
  }

  window.MockpinmeChart = { timeline, gaps, fmt };
})();
