// StreamMesh portal: search as you type on the catalog, live health charts on a product page.
// Vanilla JS; every text from the server is set with textContent, never parsed as HTML.
'use strict';

(function catalogSearch() {
  const form = document.getElementById('search');
  const body = document.querySelector('#products tbody');
  if (!form || !body) {
    return;
  }
  const count = document.getElementById('count');
  let timer = null;
  let latest = 0;

  function cell(text) {
    const td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  function row(product) {
    const tr = document.createElement('tr');
    tr.dataset.address = product.address;
    const link = document.createElement('a');
    link.href = '/products/' + encodeURIComponent(product.address);
    link.textContent = product.address;
    const first = document.createElement('td');
    first.appendChild(link);
    tr.appendChild(first);
    tr.appendChild(cell(product.owner ? product.owner.team : ''));
    tr.appendChild(cell(product.version || ''));
    const health = (product.health && product.health.status) || 'UNKNOWN';
    const badge = document.createElement('span');
    badge.className = 'badge ' + health;
    badge.textContent = health;
    const healthCell = document.createElement('td');
    healthCell.appendChild(badge);
    tr.appendChild(healthCell);
    tr.appendChild(cell(product.description || ''));
    return tr;
  }

  async function search() {
    const fields = new FormData(form);
    const health = fields.get('health');
    const query = new URLSearchParams();
    for (const key of ['q', 'domain', 'tag', 'classification']) {
      const value = (fields.get(key) || '').trim();
      if (value) {
        query.set(key, value);
      }
    }
    const asked = ++latest;
    const response = await fetch('/api/products?' + query, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (asked !== latest) {
      return;
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ error: 'HTTP ' + response.status }));
      count.textContent = problem.error;
      return;
    }
    const result = await response.json();
    const products = result.products.filter(p => !health || ((p.health && p.health.status) || 'UNKNOWN') === health);
    body.replaceChildren(...products.map(row));
    count.textContent = products.length + ' products';
    const page = new URLSearchParams(query);
    if (health) {
      page.set('health', health);
    }
    history.replaceState(null, '', '/catalog' + (page.toString() ? '?' + page : ''));
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  }

  form.addEventListener('input', soon);
  form.addEventListener('change', soon);
  form.addEventListener('submit', event => {
    event.preventDefault();
    search();
  });
})();

(function healthCharts() {
  const charts = document.getElementById('health-charts');
  if (!charts || !window.EventSource) {
    return;
  }
  const HOUR_MS = 3600 * 1000;
  const samples = [];

  function draw(id, values) {
    const line = document.querySelector('#' + id + ' polyline');
    const max = Math.max(1e-9, ...values.map(v => v.y));
    const now = Date.now();
    line.setAttribute('points', values.map(v => {
      const x = 300 - (now - v.t) / HOUR_MS * 300;
      const y = 76 - v.y / max * 72;
      return x.toFixed(1) + ',' + y.toFixed(1);
    }).join(' '));
  }

  function drawAll() {
    draw('chart-throughput', samples.map(s => ({ t: s.t, y: s.health.throughputPerSecond || 0 })));
    draw('chart-freshness', samples.map(s => ({ t: s.t, y: s.health.freshnessSeconds || 0 })));
    draw('chart-dlq', samples.map(s => ({ t: s.t, y: s.health.deadLetterRate || 0 })));
    charts.dataset.samples = String(samples.length);
  }

  function keep(health) {
    samples.push({ t: health.at, health: health });
    while (samples.length && samples[0].t < Date.now() - HOUR_MS) {
      samples.shift();
    }
  }

  const events = new EventSource('/portal/health/' + encodeURIComponent(charts.dataset.address));
  events.addEventListener('history', message => {
    samples.length = 0;
    JSON.parse(message.data).forEach(keep);
    drawAll();
  });
  events.addEventListener('refused', message => {
    // past the catalog's bound of live charts: no reconnecting, the reason where the health's would be
    events.close();
    document.getElementById('health-reason').textContent = message.data;
  });
  events.addEventListener('health', message => {
    const health = JSON.parse(message.data);
    keep(health);
    const status = document.getElementById('health-status');
    status.textContent = health.status;
    status.className = 'badge ' + health.status;
    document.getElementById('health-reason').textContent = health.reason || '';
    document.getElementById('throughput-now').textContent = Number(health.throughputPerSecond || 0).toFixed(2);
    document.getElementById('dlq-now').textContent = Number(health.deadLetterRate || 0).toFixed(3);
    document.getElementById('freshness-now').textContent = health.freshnessSeconds === null ? 'no record yet' : health.freshnessSeconds;
    drawAll();
  });
})();

(function auditQueriesRunning() {
  // The audit page's queries run beside the request that showed them: reload until none runs,
  // but never under a person's typing: a reload would throw the SQL box's edit away (and a
  // submit right after it would run the page's default query instead).
  if (!document.querySelector('[data-audit-running]')) {
    return;
  }
  const box = document.getElementById('sql');
  function reloadUnlessEditing() {
    if (box && (document.activeElement === box || box.value !== box.defaultValue)) {
      setTimeout(reloadUnlessEditing, 2000);
      return;
    }
    window.location.reload();
  }
  setTimeout(reloadUnlessEditing, 2000);
})();
