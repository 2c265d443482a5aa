'use strict';
// The coverage page: follows GET /reconciliations/ledger/coverage and runs the reconciliation API's jobs
// (reconcile a range, re-drive what is missing, repair duplicates). How a person proves who they are follows the service's
// identity mode (GET /coverage/sign-in): signing in through the identity provider (authorization code with PKCE, a public
// client, in a small window), pasting the shared token, or nothing when the service is open. The bearer token (and a
// refresh token) live only in the variables below: never in storage, cookies or the address, gone when the tab closes.
// Operator actions are shown to operators only (GET /reconciliations/identity); the API refuses a viewer's anyway.
(() => {
  let token = null;
  let refreshToken = null;
  let refreshTimer = null;
  let mode = 'open';
  let signInSettings = null;
  let provider = null;
  let pending = null;
  let timer = null;
  let refreshMs = 5000;
  let windowSeconds = 600;
  const sections = new Map();

  const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
  const WORDS = {
    CONFIRMED: 'confirmed', PENDING: 'pending', OVERDUE: 'overdue (not checked yet)', MISSING: 'missing',
    NOT_IN_LEDGER: 'not in the ledger', PRESENT: 'present', DUPLICATED: 'duplicated'
  };

  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const fmt = (n) => Number(n).toLocaleString('en-US');
  const when = (iso) => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '–');
  const plural = (n, one, many) => fmt(n) + ' ' + (n === 1 ? one : many);
  const span = (first, last) => (first === last ? fmt(first) : fmt(first) + '–' + fmt(last));

  function age(seconds) {
    const s = Math.round(seconds);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined) node.append(c);
    }
    return node;
  }

  /** An error the page shows: the API's problem+json, or what went wrong before an answer came. */
  class Problem extends Error {
    constructor(status, title, detail) {
      super(detail);
      this.status = status;
      this.title = title;
      this.detail = detail;
    }
    text() {
      const detail = /[.!?)]$/.test(this.detail) ? this.detail : this.detail + '.';
      return (this.status ? 'HTTP ' + this.status + ' ' : '') + this.title + ': ' + detail;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let answer;
    try {
      answer = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store', credentials: 'omit', redirect: 'error'
      });
    } catch (e) {
      throw new Problem(0, 'No answer', 'The service did not answer (' + e.message + ')');
    }
    const text = await answer.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!answer.ok) {
      const title = (data && data.title) || answer.statusText || 'Error';
      const detail = (data && data.detail) || (text ? text.slice(0, 300) : 'no detail given');
      throw new Problem(answer.status, title, detail);
    }
    return data;
  }

  // ---- errors and the token ----

  function showError(problem, doing) {
    const box = $('error');
    let hint = '';
    if (problem.status === 401) {
      if (mode === 'oidc') hint = token ? ' Your sign-in has ended: sign in again above.' : ' Sign in above.';
      else hint = token ? ' Check the token and enter it again above.' : ' Enter the API token above.';
    }
    box.replaceChildren(el('strong', { text: doing + '. ' }), document.createTextNode(problem.text() + hint));
    box.hidden = false;
    if (problem.status === 401) {
      $('access').classList.add('needs-token');
      if (mode === 'oidc') {
        $('sign-in-button').focus();
      } else {
        if (token) $('token-state').textContent = 'The service refused the token in use. Enter the right one; it is kept only in this tab\'s memory.';
        $('token').focus();
      }
    }
  }

  function clearError() {
    $('error').hidden = true;
    $('access').classList.remove('needs-token');
  }

  function tokenState() {
    $('token-state').textContent = token
      ? 'A token is in use. It is kept only in this tab\'s memory while the page is open; never stored, never in the address.'
      : 'No token in use. A token is kept only in this tab\'s memory while the page is open; never stored, never in the address.';
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('token');
    token = input.value.trim() || null;
    input.value = '';
    tokenState();
    whoAmI().then(refresh);
  });
  $('token-forget').addEventListener('click', () => {
    token = null;
    $('token').value = '';
    tokenState();
    setAccess(null, null);
    refresh();
  });

  // ---- who is signed in, and what they may do ----

  /** Shows who the service takes the caller for, and the operator actions only to an operator. */
  function setAccess(access, name) {
    document.body.dataset.access = access || 'none';
    $('viewer-note').hidden = access !== 'viewer';
    if (mode === 'oidc') {
      $('who').textContent = name ? 'Signed in as ' + name + ' (' + access + ').' : 'Not signed in.';
      $('sign-in-button').hidden = Boolean(name);
      $('sign-out-button').hidden = !name;
    }
  }

  async function whoAmI() {
    if (mode !== 'open' && !token) {
      setAccess(null, null);
      return;
    }
    try {
      const me = await api('GET', '/reconciliations/identity');
      setAccess(me.access, me.name);
    } catch (problem) {
      setAccess(null, null);
      showError(problem, 'Who you are could not be read');
    }
  }

  // ---- signing in through the identity provider (authorization code with PKCE) ----

  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

  async function discover() {
    if (provider) return provider;
    let answer;
    try {
      answer = await fetch(signInSettings.issuer + '/.well-known/openid-configuration', { credentials: 'omit', cache: 'no-store' });
    } catch (e) {
      throw new Problem(0, 'No answer from the identity provider', signInSettings.issuer + ' did not answer (' + e.message + ')');
    }
    if (!answer.ok) throw new Problem(answer.status, 'Identity provider', 'its discovery document could not be read');
    provider = await answer.json();
    return provider;
  }

  async function startSignIn() {
    try {
      const meta = await discover();
      const verifier = random(32);
      const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
      const redirect = new URL('signed-in.html', location.href).href;
      pending = { verifier, state: random(16), nonce: random(16), redirect };
      const query = new URLSearchParams({
        response_type: 'code', client_id: signInSettings.clientId, redirect_uri: redirect, scope: signInSettings.scope,
        state: pending.state, nonce: pending.nonce, code_challenge: challenge, code_challenge_method: 'S256'
      });
      const opened = window.open(meta.authorization_endpoint + '?' + query, 'kafka-firehose-bridge-sign-in', 'popup,width=520,height=720');
      if (!opened) throw new Problem(0, 'Sign-in window blocked', 'allow this page to open a window, then sign in again');
    } catch (problem) {
      showError(problem instanceof Problem ? problem : new Problem(0, 'Sign-in', String(problem)), 'The sign-in could not start');
    }
  }

  async function tokenRequest(params) {
    const meta = await discover();
    const answer = await fetch(meta.token_endpoint, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params), credentials: 'omit', cache: 'no-store', redirect: 'error'
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Problem(answer.status, 'Identity provider', data.error_description || data.error || 'no token given');
    token = data.access_token;
    refreshToken = data.refresh_token || null;
    clearTimeout(refreshTimer);
    if (refreshToken && data.expires_in) {
      refreshTimer = setTimeout(renew, Math.max(5, data.expires_in - 30) * 1000);
    }
  }

  async function renew() {
    try {
      await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: signInSettings.clientId });
    } catch (problem) {
      signOut();
      showError(problem, 'Your sign-in has ended');
    }
  }

  async function finishSignIn(message) {
    if (!pending || message.state !== pending.state) return; // not the sign-in this tab started
    const { verifier, redirect } = pending;
    pending = null;
    if (message.error || !message.code) {
      showError(new Problem(0, 'Sign-in refused', message.errorDescription || message.error || 'no code came back'), 'The sign-in failed');
      return;
    }
    try {
      await tokenRequest({ grant_type: 'authorization_code', code: message.code, redirect_uri: redirect,
        client_id: signInSettings.clientId, code_verifier: verifier });
    } catch (problem) {
      showError(problem, 'The sign-in failed');
      return;
    }
    clearError();
    await whoAmI();
    refresh();
  }

  function signOut() {
    token = null;
    refreshToken = null;
    clearTimeout(refreshTimer);
    setAccess(null, null);
  }

  new BroadcastChannel('kafka-firehose-bridge-sign-in').onmessage = (event) => finishSignIn(event.data || {});
  $('sign-in-button').addEventListener('click', startSignIn);
  $('sign-out-button').addEventListener('click', () => {
    signOut();
    refresh();
  });

  /** Which way in this service asks for (GET /coverage/sign-in), and the controls for it. */
  async function start() {
    try {
      signInSettings = await api('GET', '/coverage/sign-in');
      mode = signInSettings.mode;
    } catch (problem) {
      mode = 'token';
    }
    if (mode === 'oidc' && !signInSettings.clientId) mode = 'token'; // no page client: paste an access token
    $('sign-in').hidden = mode !== 'oidc';
    $('token-form').hidden = mode !== 'token';
    $('open-note').hidden = mode !== 'open';
    if (mode === 'open') $('access-title').textContent = 'Access: open';
    tokenState();
    await whoAmI();
    refresh();
  }

  // ---- following the ledger ----

  async function refresh() {
    clearTimeout(timer);
    let view;
    try {
      view = await api('GET', '/reconciliations/ledger/coverage');
    } catch (problem) {
      showError(problem, 'The coverage could not be read');
      $('updated').textContent = problem.status === 401
        ? (mode === 'oidc' ? 'Waiting for you to sign in.' : 'Waiting for a valid API token.') : 'Trying again in 5 s.';
      if (problem.status !== 401) timer = setTimeout(refresh, 5000);
      return;
    }
    clearError();
    render(view);
    timer = setTimeout(refresh, refreshMs);
  }

  function render(view) {
    refreshMs = Math.max(1000, view.refreshSeconds * 1000);
    windowSeconds = view.deliveryWindowSeconds;
    const f = view.figures;
    const searched = view.partitions.length === 0 || view.partitions.some((p) => p.search);
    $('fig-search').textContent = searched ? fmt(f.unconfirmedSearch) : 'no search destination';
    $('fig-backup').textContent = fmt(f.unconfirmedBackup);
    $('fig-duplicates').textContent = fmt(f.unrepairedDuplicates);
    $('fig-oldest').textContent = f.oldestUnconfirmedSentAt
      ? age(f.oldestUnconfirmedAgeSeconds) + ' (sent ' + when(f.oldestUnconfirmedSentAt) + ')' : 'none';
    $('updated').textContent = 'Updated ' + when(view.at) + ' · follows the ledger every ' + view.refreshSeconds + ' s · delivery window '
      + age(view.deliveryWindowSeconds) + (view.ledgerEnabled ? '' : ' · the delivery ledger is off in this instance');
    $('empty').hidden = view.partitions.length > 0;
    for (const p of view.partitions) {
      const key = p.topic + '/' + p.partition;
      let sec = sections.get(key);
      if (!sec) {
        sec = createSection(p);
        sections.set(key, sec);
        $('partitions').append(sec.el);
      }
      updateSection(sec, p);
    }
  }

  function createSection(p) {
    const sec = { topic: p.topic, partition: p.partition, busy: false, report: null, selected: null };
    sec.badge = el('span', { class: 'badge' });
    sec.range = el('span', { class: 'range' });
    sec.ledgerBars = el('div', { class: 'bars ledger-bars' });
    sec.attention = el('ul', { class: 'attention ledger-attention' });
    sec.details = el('div', { class: 'details', hidden: true, 'aria-live': 'polite' });
    sec.from = el('input', { type: 'number', class: 'from', min: 0, step: 1, required: true, oninput: () => { sec.touched = true; } });
    sec.to = el('input', { type: 'number', class: 'to', min: 1, step: 1, required: true, oninput: () => { sec.touched = true; } });
    sec.checkButton = el('button', { type: 'submit', class: 'primary check' }, 'Reconcile range');
    const form = el('form', { class: 'check-form' },
      el('div', { class: 'row' },
        el('label', {}, 'From offset', sec.from),
        el('label', {}, 'to (exclusive)', sec.to),
        sec.checkButton));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      runCheck(sec, Number(sec.from.value), Number(sec.to.value));
    });
    sec.progress = el('div', { class: 'job-progress', 'aria-live': 'polite' });
    sec.reportEl = el('div', { class: 'job-report' });
    sec.outcome = el('div', { class: 'job-outcome', 'aria-live': 'polite' });
    sec.el = el('section', {
      class: 'panel partition', id: 'p-' + p.topic + '-' + p.partition, 'data-topic': p.topic, 'data-partition': p.partition
    },
    el('h3', {}, el('span', { class: 'name', text: p.topic + ' · partition ' + p.partition }), sec.badge, sec.range),
    el('p', { class: 'hint', text: 'Delivery ledger: each span of sent offsets as the verifier found it once its delivery window had passed.' }),
    sec.ledgerBars, sec.attention, sec.details,
    el('div', { class: 'actions' },
      el('h4', { text: 'Check exactly (reconciliation: exact missing and duplicated offsets)' }),
      form, el('div', { class: 'job' }, sec.progress, sec.reportEl, sec.outcome)));
    return sec;
  }

  function verdict(counts) {
    if (counts.missing > 0) return ['missing', '✗ Records missing'];
    if (counts.overdue > 0) return ['overdue', '… Awaiting check'];
    if (counts.pending > 0) return ['pending', '… Pending'];
    return ['complete', '✓ Complete'];
  }

  function updateSection(sec, p) {
    // An S3-only stream (bridge.search.enabled=false) has no search bar.
    const sides = [['Search', 'search', p.search], ['Backup', 'backup', p.backup]].filter(([, , s]) => s);
    const both = { missing: 0, overdue: 0, pending: 0 };
    for (const [, , s] of sides) {
      both.missing += s.counts.missing;
      both.overdue += s.counts.overdue;
      both.pending += s.counts.pending;
    }
    both.pending += p.figures.unconfirmedSearch + p.figures.unconfirmedBackup;
    const [state, words] = verdict(both);
    sec.badge.className = 'badge ' + state;
    sec.badge.textContent = words;
    sec.el.dataset.state = state;
    sec.range.textContent = 'offsets ' + span(p.first, p.last) + ' (' + fmt(p.last - p.first + 1) + ') · ' + plural(p.spans, 'ledger span', 'ledger spans')
      + ' · unconfirmed: ' + (p.search ? 'search ' + fmt(p.figures.unconfirmedSearch) + ', ' : '') + 'backup ' + fmt(p.figures.unconfirmedBackup)
      + (p.figures.unrepairedDuplicates > 0 ? ' · duplicates not repaired: ' + fmt(p.figures.unrepairedDuplicates) : '');
    if (!sec.touched && !sec.busy) {
      sec.from.value = p.first;
      sec.to.value = p.last + 1;
    }
    const rows = sides.map(([label, side, s]) => ({
      label, side, first: p.first, last: p.last,
      summary: ledgerSummary(s) + (s.merged ? ' · detail merged to fit the bar' : ''),
      stretches: s.stretches.map((x) => ledgerStretch(sec, label, x))
    }));
    drawBars(sec, sec.ledgerBars, rows, 'ledger');
    const items = [];
    for (const row of rows) {
      for (const x of row.stretches) {
        if (x.state !== 'CONFIRMED') items.push(el('li', { 'data-side': row.side, 'data-state': x.state }, row.label + ': ' + x.title));
      }
    }
    sec.attention.replaceChildren(...items.slice(0, 20));
    if (items.length > 20) sec.attention.append(el('li', { text: (items.length - 20) + ' more stretches not shown' }));
  }

  function ledgerSummary(side) {
    const c = side.counts;
    const parts = [];
    for (const [n, w] of [[c.confirmed, 'confirmed'], [c.pending, 'pending'], [c.overdue, 'overdue'], [c.missing, 'in spans with records missing'],
      [c.notInLedger, 'not in the ledger']]) {
      if (n > 0) parts.push(fmt(n) + ' ' + w);
    }
    return parts.join(' · ');
  }

  function ledgerStretch(sec, label, x) {
    const c = x.counts;
    const n = x.last - x.first + 1;
    let text = WORDS[x.state] + ' ' + span(x.first, x.last) + ' (' + fmt(n) + (n === 1 ? ' offset' : ' offsets');
    if (x.state === 'MISSING') text += '; ' + fmt(x.missingAtCheck) + ' records missing at the last check';
    text += ')';
    const mixed = [[c.confirmed, 'confirmed'], [c.pending, 'pending'], [c.overdue, 'overdue'], [c.missing, 'missing'], [c.notInLedger, 'not in ledger']]
      .filter(([v]) => v > 0);
    const facts = [
      ['Offsets', span(x.first, x.last) + ' (' + fmt(n) + ')'],
      ['State', WORDS[x.state]]];
    if (mixed.length > 1) facts.push(['Made of', mixed.map(([v, w]) => fmt(v) + ' ' + w).join(', ')]);
    if (x.state === 'MISSING') facts.push(['Missing at the last check', fmt(x.missingAtCheck) + ' records (reconcile the range for the exact offsets)']);
    facts.push(['Ledger spans', fmt(x.spans) + (x.redriven ? ' (some re-driven)' : '')]);
    if (x.sentFrom) facts.push(['Sent', when(x.sentFrom) + (x.sentTo && x.sentTo !== x.sentFrom ? ' to ' + when(x.sentTo) : '')]);
    return { first: x.first, last: x.last, state: x.state, title: text, heading: label + ' (ledger)', facts };
  }

  // ---- bars and stretch details ----

  function drawBars(sec, container, rows, kind) {
    const nodes = [];
    for (const row of rows) {
      const bar = el('div', { class: 'bar', role: 'group', 'aria-label': row.label + ' ' + kind + ' bar', 'data-side': row.side });
      for (const x of row.stretches) {
        const key = kind + ':' + row.side + ':' + x.first + ':' + x.last;
        const seg = el('button', {
          type: 'button', class: 'seg s-' + x.state.toLowerCase() + (sec.selected === key ? ' selected' : ''),
          title: row.label + ': ' + x.title, 'aria-label': row.label + ': ' + x.title,
          'data-first': x.first, 'data-last': x.last, 'data-state': x.state, 'data-side': row.side,
          onclick: (event) => select(sec, key, event.currentTarget, x)
        });
        seg.style.flexGrow = String(x.last - x.first + 1);
        bar.append(seg);
      }
      nodes.push(el('div', { class: 'bar-label', text: row.label }), bar,
        el('div', { class: 'ends' }, el('span', { text: fmt(row.first) }), el('span', { text: fmt(row.last) })),
        el('div', { class: 'bar-summary', text: row.summary }));
    }
    container.replaceChildren(...nodes);
  }

  async function select(sec, key, seg, x) {
    sec.selected = key;
    for (const s of sec.el.querySelectorAll('.seg.selected')) s.classList.remove('selected');
    seg.classList.add('selected');
    const times = el('dd', { class: 'times', text: 'reading from Kafka…' });
    const dl = el('dl', {});
    for (const [k, v] of x.facts) dl.append(el('dt', { text: k }), el('dd', { text: v }));
    dl.append(el('dt', { text: 'Kafka timestamps' }), times);
    sec.details.replaceChildren(el('strong', { text: x.heading + ': ' + WORDS[x.state] + ' ' + span(x.first, x.last) }), dl);
    sec.details.hidden = false;
    try {
      const q = new URLSearchParams({ topic: sec.topic, partition: sec.partition, first: x.first, last: x.last });
      const t = await api('GET', '/reconciliations/ledger/coverage/timestamps?' + q);
      times.textContent = t.firstTimestamp || t.lastTimestamp
        ? when(t.firstTimestamp) + ' to ' + when(t.lastTimestamp) : 'no record left in Kafka for these offsets';
    } catch (problem) {
      times.textContent = 'not available: ' + problem.text();
    }
  }

  // ---- jobs: reconcile, re-drive, repair ----

  function setBusy(sec, busy) {
    sec.busy = busy;
    for (const b of sec.el.querySelectorAll('.actions button')) b.disabled = busy || b.dataset.off === 'true';
  }

  function jobFailure(view) {
    const e = view.error || {};
    return new Problem(e.status || 0, e.title || 'Job ' + view.state, e.detail || 'The job ended ' + view.state);
  }

  async function follow(sec, view, label) {
    for (;;) {
      const p = view.progress || {};
      const bar = el('progress', { max: 100, value: Math.round(p.percent || 0) });
      const text = label + ' ' + view.id + ': ' + view.state
        + (p.offsets ? ' · ' + fmt(p.offsetsChecked) + ' of ' + fmt(p.offsets) + ' offsets (' + Math.round(p.percent || 0) + '%)' : '')
        + (p.etaSeconds !== undefined && p.etaSeconds !== null && view.state === 'RUNNING' ? ' · about ' + age(p.etaSeconds) + ' left' : '');
      sec.progress.replaceChildren(bar, document.createTextNode(' ' + text));
      sec.progress.dataset.state = view.state;
      if (FINISHED.includes(view.state)) return view;
      await sleep(700);
      view = await api('GET', '/reconciliations/' + encodeURIComponent(view.id));
    }
  }

  function failed(sec, doing, problem) {
    let hint = '';
    if (problem.status === 401) hint = mode === 'oidc' ? ' Sign in again above.' : ' Enter a valid API token above.';
    if (problem.status === 403) hint = ' Your role does not allow this; an operator can.';
    sec.outcome.replaceChildren(el('div', { class: 'error', role: 'alert', 'data-doing': doing }, el('strong', { text: doing + '. ' }),
      document.createTextNode(problem.text() + hint)));
    if (problem.status === 401) {
      showError(problem, doing);
    }
  }

  async function runCheck(sec, from, to, note) {
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to > from)) {
      failed(sec, 'The range cannot be checked', new Problem(0, 'Invalid range', 'give whole offsets with "to" greater than "from"'));
      return null;
    }
    setBusy(sec, true);
    sec.outcome.replaceChildren(el('p', { text: note || 'Reconciling offsets ' + span(from, to - 1) + '…' }));
    try {
      let view = await api('POST', '/reconciliations', { topic: sec.topic, partitions: [sec.partition], from, to });
      view = await follow(sec, view, 'Reconciliation');
      if (view.state !== 'SUCCEEDED') throw jobFailure(view);
      sec.report = { id: view.id, report: view.partitions[0] };
      renderReport(sec);
      sec.outcome.replaceChildren();
      return sec.report;
    } catch (problem) {
      failed(sec, 'The reconciliation could not run', problem);
      return null;
    } finally {
      setBusy(sec, false);
    }
  }

  function reportStretches(side, from, to) {
    const marks = [];
    for (const [first, last] of side.missing) marks.push({ first, last, state: 'MISSING' });
    for (const d of (side.duplicated && side.duplicated.most) || []) {
      marks.push({ first: d.offset, last: d.offset, state: 'DUPLICATED', copies: d.copies });
    }
    marks.sort((a, b) => a.first - b.first);
    const joined = [];
    for (const m of marks) {
      const prev = joined[joined.length - 1];
      if (prev && m.state === 'DUPLICATED' && prev.state === 'DUPLICATED' && prev.copies === m.copies && prev.last + 1 === m.first) {
        prev.last = m.last;
      } else {
        joined.push(m);
      }
    }
    const out = [];
    let cursor = from;
    for (const m of joined) {
      if (m.first > cursor) out.push({ first: cursor, last: m.first - 1, state: 'PRESENT' });
      out.push(m);
      cursor = m.last + 1;
    }
    if (cursor <= to - 1) out.push({ first: cursor, last: to - 1, state: 'PRESENT' });
    return out;
  }

  function reportStretch(label, x, checkedAt) {
    const n = x.last - x.first + 1;
    let text = WORDS[x.state] + ' ' + span(x.first, x.last) + ' (' + fmt(n) + (n === 1 ? ' offset' : ' offsets');
    if (x.copies) text += '; ' + fmt(x.copies) + ' copies' + (n > 1 ? ' each' : '');
    text += ')';
    const facts = [['Offsets', span(x.first, x.last) + ' (' + fmt(n) + ')'], ['State', WORDS[x.state] + ' in this reconciliation']];
    if (x.copies) facts.push(['Copies', fmt(x.copies) + (n > 1 ? ' of each offset' : '')]);
    facts.push(['Checked', when(checkedAt)]);
    return { first: x.first, last: x.last, state: x.state === 'PRESENT' ? 'CONFIRMED' : x.state, title: text,
      heading: label + ' (reconciliation)', facts };
  }

  function renderReport(sec) {
    const r = sec.report.report;
    if (sec.selected && sec.selected.startsWith('reconciliation:')) {
      sec.selected = null;
      sec.details.hidden = true;
    }
    const rows = [['Search', 'search', r.search], ['Backup', 'backup', r.backup]].filter(([, , s]) => s).map(([label, side, s]) => ({
      label, side, first: r.from, last: r.to - 1,
      summary: fmt(s.present) + ' present · ' + fmt(s.missingCount) + ' missing' + (s.missingTruncated ? ' (first ranges listed)' : '')
        + ' · ' + fmt(s.duplicated.offsets) + ' duplicated (' + plural(s.duplicated.extraCopies, 'extra copy', 'extra copies') + ')',
      stretches: reportStretches(s, r.from, r.to).map((x) => reportStretch(label, x, r.checkedAt))
    }));
    const bars = el('div', { class: 'bars report-bars' });
    drawBars(sec, bars, rows, 'reconciliation');
    const items = [];
    for (const row of rows) {
      for (const x of row.stretches) {
        if (x.state !== 'CONFIRMED') items.push(el('li', { 'data-side': row.side, 'data-state': x.state }, row.label + ': ' + x.title));
      }
    }
    const missing = (r.search ? r.search.missingCount : 0) + r.backup.missingCount;
    // Only the search index is repaired: the S3 backup is the raw record of what Firehose delivered and keeps its copies.
    const duplicated = r.search ? r.search.duplicated.offsets : 0;
    const redrive = el('button', { type: 'button', class: 'primary redrive', 'data-off': String(missing === 0),
      onclick: () => redriveMissing(sec) }, missing === 0 ? 'Nothing to re-drive' : 'Re-drive missing records');
    const repair = el('button', { type: 'button', class: 'repair', 'data-off': String(duplicated === 0),
      onclick: () => repairDuplicates(sec, true) }, duplicated === 0
        ? (r.backup.duplicated.offsets > 0 ? 'No duplicates in search (the backup keeps its copies)' : 'No duplicates to repair')
        : 'Repair duplicates: dry run first');
    redrive.disabled = missing === 0;
    repair.disabled = duplicated === 0;
    const status = { COMPLETE: '✓ Complete', PENDING: '… Pending (missing records may still be on their way)', INCOMPLETE: '✗ Incomplete' }[r.status]
      || r.status;
    sec.reportEl.dataset.job = sec.report.id;
    sec.reportEl.replaceChildren(
      el('h4', {}, 'Reconciliation ' + sec.report.id + ': offsets ' + span(r.from, r.to - 1) + ' · ',
        el('span', { class: 'badge report-status ' + r.status.toLowerCase(), 'data-status': r.status, text: status })),
      el('p', { class: 'hint', text: 'Checked ' + when(r.checkedAt) + ' in ' + fmt(r.tookMillis) + ' ms.' }),
      bars, el('ul', { class: 'attention report-attention' }, ...items.slice(0, 30)),
      el('div', { class: 'row buttons' }, redrive, repair));
  }

  async function redriveMissing(sec) {
    if (!sec.report || sec.busy) return;
    setBusy(sec, true);
    sec.outcome.replaceChildren(el('p', { text: 'Starting the re-drive…' }));
    try {
      let view = await api('POST', '/reconciliations/' + encodeURIComponent(sec.report.id) + '/redrive');
      view = await follow(sec, view, 'Re-drive');
      if (view.state !== 'SUCCEEDED') throw jobFailure(view);
      const d = view.redrive || {};
      sec.outcome.replaceChildren(el('p', { class: 'ok-note redrive-result' }, 'Re-drive ' + view.id + ': ' + fmt(d.resent || 0) + ' of '
        + fmt(d.missing || 0) + ' missing records sent again (read from Kafka ' + fmt(d.readFromKafka || 0) + ', invalid ' + fmt(d.invalid || 0)
        + ', dead-lettered ' + fmt(d.deadLettered || 0) + ').'));
    } catch (problem) {
      failed(sec, 'The re-drive could not run', problem);
      setBusy(sec, false);
      return;
    }
    setBusy(sec, false);
    await checkAgainUntil(sec, 'the re-driven records', (r) => r.status === 'COMPLETE');
  }

  /** After a re-drive or repair: checks the same range again until the report is as wanted or the delivery window has passed. */
  async function checkAgainUntil(sec, what, wanted) {
    const { from, to } = sec.report.report;
    const deadline = Date.now() + (windowSeconds + 60) * 1000;
    const done = sec.outcome.firstChild;
    for (let attempt = 1; ; attempt++) {
      sec.progress.replaceChildren(document.createTextNode('Checking again in 3 s: ' + what + ' may still be in the delivery stream\'s buffer.'));
      await sleep(3000);
      const checked = await runCheck(sec, from, to, 'Checking offsets ' + span(from, to - 1) + ' again (attempt ' + attempt + ')…');
      if (done && !sec.outcome.firstChild) sec.outcome.append(done);
      if (!checked || wanted(checked.report) || Date.now() > deadline) return;
    }
  }

  /** A repair report (RepairReport) in words: the counts, then the first offsets with the copy kept and the copies removed. */
  function describeRepair(d) {
    d = d || {};
    const copy = (c) => c.index + ' / ' + c.id;
    const removed = d.dryRun ? fmt(d.copiesToDelete || 0) + ' would be deleted' : fmt(d.copiesDeleted || 0) + ' deleted';
    const parts = [el('p', { class: 'repair-counts', text: plural(d.duplicatedOffsets || 0, 'duplicated offset', 'duplicated offsets') + ': '
      + plural(d.copiesKept || 0, 'copy', 'copies') + ' kept, ' + removed
      + (d.copiesChanged ? ', ' + fmt(d.copiesChanged) + ' changed or already gone meanwhile (left alone)' : '')
      + (d.copiesInvalid ? ', ' + fmt(d.copiesInvalid) + ' without valid coordinates (left alone)' : '') + '.' })];
    const offsets = d.offsets || [];
    if (offsets.length) {
      parts.push(el('ul', { class: 'repair-offsets' }, ...offsets.map((o) => el('li', {
        text: 'partition ' + o.partition + ', offset ' + o.offset + ': keep ' + copy(o.kept) + '; ' + (d.dryRun ? 'would delete ' : 'deleted ')
          + o.extra.map(copy).join(', ') }))));
      if (d.offsetsTruncated) parts.push(el('p', { class: 'hint', text: 'Only the first ' + offsets.length + ' offsets are listed.' }));
    }
    return parts;
  }

  async function repairDuplicates(sec, dryRun) {
    if (!sec.report || sec.busy) return;
    setBusy(sec, true);
    const label = dryRun ? 'Repair dry run' : 'Repair';
    sec.outcome.replaceChildren(el('p', { text: 'Starting the ' + label.toLowerCase() + '…' }));
    try {
      let view = await api('POST', '/reconciliations/' + encodeURIComponent(sec.report.id) + '/repair?dryRun=' + dryRun);
      view = await follow(sec, view, label);
      if (view.state !== 'SUCCEEDED') throw jobFailure(view);
      const result = el('div', { class: 'ok-note repair-result', 'data-dry-run': dryRun },
        el('p', { text: label + ' ' + view.id + (dryRun ? ': what a repair would do (nothing changed yet)' : ': done') }),
        ...describeRepair(view.repair));
      if (dryRun) {
        result.append(el('div', { class: 'row' },
          el('button', { type: 'button', class: 'primary repair-confirm', onclick: () => repairDuplicates(sec, false) }, 'Confirm repair'),
          el('button', { type: 'button', class: 'repair-cancel', onclick: () => sec.outcome.replaceChildren() }, 'Cancel')));
      }
      sec.outcome.replaceChildren(result);
    } catch (problem) {
      const missingApi = problem.status === 404 || problem.status === 405;
      failed(sec, missingApi ? label + ' is not available on this service' : 'The ' + label.toLowerCase() + ' could not run', problem);
      setBusy(sec, false);
      return;
    }
    setBusy(sec, false);
    if (!dryRun) await checkAgainUntil(sec, 'the repair', (r) => r.status === 'COMPLETE' && r.search.duplicated.offsets === 0);
  }

  start();
})();
