/* app.js: the Mailroom classroom live view.
 * Copyright 2026 The Mailroom authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follows /api/v1/events/stream (a WebSocket): every event arrives once,
 * in order, with its sequence number. After each batch the page sends
 * {"ack": seq} (the server keeps a bounded window of unacknowledged
 * events per viewer). When the connection drops, it reconnects with
 * ?since=<last seq> and misses nothing.
 */
'use strict';

(function () {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const MAX_ROWS = 400;          /* arrows kept on the page */
  const FIRST_VIEW = 300;        /* history shown when the page opens */
  const ROW = 26;
  const HEAD = 44;
  const LABEL_MAX = 60;

  const state = {
    lastSeq: 0,
    count: 0,
    events: [],                  /* the last MAX_ROWS drawable events */
    hosts: [],                   /* lifeline order */
    links: new Map(),            /* "a|b" -> true, seen on the wire */
    scenarioHosts: [],           /* from /api/v1/scenario */
    scenarioLinks: [],
    scenarioRoles: new Map(),
    active: null,                /* [a, b] of the newest event */
    faults: new Map(),           /* host -> [fault names] switched on there */
    dirty: false,
    retry: 0,
    ws: null,
    newestDrawn: 0,
  };
  window.mailroom = state;       /* for tests and the curious */

  const $ = (id) => document.getElementById(id);

  function setStatus(text, cls) {
    const el = $('status');
    el.textContent = text;
    el.className = 'status ' + cls;
  }

  /* "127.0.0.1:53312" and "127.0.0.1:53313" are the same host. */
  function hostOf(name) {
    if (!name) return '?';
    let m = /^\[([^\]]+)\]:\d+$/.exec(name);
    if (m) return m[1];
    m = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(name);
    if (m) return m[1];
    return name;
  }

  /* Lifelines read left to right along the mail's path: a new client goes
   * just left of its server, a new server just right of its client. */
  function addHosts(client, server) {
    const hosts = state.hosts;
    const hasC = hosts.includes(client), hasS = hosts.includes(server);
    if (!hasC && hasS) hosts.splice(hosts.indexOf(server), 0, client);
    else if (!hasC) hosts.push(client);
    if (!hasS && client !== server) hosts.splice(hosts.indexOf(client) + 1, 0, server);
  }

  function replyClass(ev) {
    if (ev.kind === 'note' || ev.kind === 'connect' || ev.kind === 'disconnect' || ev.kind === 'tls')
      return 'note';
    if (ev.code >= 200 && ev.code < 600) return 'c' + Math.floor(ev.code / 100);
    if (ev.direction === 'to-client') {
      /* POP3 and IMAP have no codes: +OK / OK are fine, -ERR / NO / BAD refused. */
      if (ev.flags && ev.flags.includes('error')) return 'c5';
      return 'c2';
    }
    return 'cmd';
  }

  function describe(ev) {
    const lines = [];
    const who = ev.direction === 'to-client' ? hostOf(ev.server) + ' → ' + hostOf(ev.client)
      : ev.direction === 'to-server' ? hostOf(ev.client) + ' → ' + hostOf(ev.server)
      : hostOf(ev.server);
    lines.push('#' + ev.seq + ' ' + (ev.protocol || '').toUpperCase() + ' ' + who);
    lines.push(ev.text);
    if (ev.explanation) lines.push(ev.explanation);
    if (ev.state) lines.push('state: ' + ev.state);
    if (ev.flags && ev.flags.length) lines.push('flags: ' + ev.flags.join(', '));
    return lines.join('\n');
  }

  function onEvents(events) {
    for (const ev of events) {
      if (ev.seq <= state.lastSeq) continue;          /* never twice */
      state.lastSeq = ev.seq;
      state.count++;
      const c = hostOf(ev.client), s = hostOf(ev.server);
      /* Notes are not on the wire: they mark a host already drawn and
       * never add one (their peer may be a placeholder). */
      if (ev.direction !== 'none' || ev.kind === 'connect')
        addHosts(c, s);
      if (ev.direction !== 'none') {
        state.links.set(c < s ? c + '|' + s : s + '|' + c, true);
        state.active = [c, s];
      }
      state.events.push(ev);
    }
    if (state.events.length > MAX_ROWS)
      state.events.splice(0, state.events.length - MAX_ROWS);
    scheduleRender();
  }

  function scheduleRender() {
    if (state.dirty) return;
    state.dirty = true;
    requestAnimationFrame(render);
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG_NS, name);
    for (const k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  /* On a phone the columns close up; on a projector they spread out. */
  function columns(width) {
    const n = Math.max(state.hosts.length, 1);
    const narrow = width < 600;
    const left = narrow ? 34 : 60;
    const spacing = Math.max(narrow ? 120 : 170, (width - left) / n);
    const x = new Map();
    state.hosts.forEach((h, i) => x.set(h, left + spacing * i + spacing / 2));
    return { x, width: left + spacing * n, left, head: Math.min(160, spacing - 12) };
  }

  function shorten(text) {
    return text.length > LABEL_MAX ? text.slice(0, LABEL_MAX - 1) + '…' : text;
  }

  function renderLadder() {
    const svg = $('ladder');
    const scroller = $('ladder-scroll');
    const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 30;
    const { x, width, left, head: headWidth } = columns(scroller.clientWidth || 800);
    const height = HEAD + ROW * (state.events.length + 1);

    svg.replaceChildren();
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);

    for (const hx of x.values())
      el('line', { class: 'lifeline', x1: hx, y1: HEAD - 8, x2: hx, y2: height }, svg);

    state.events.forEach((ev, i) => {
      const y = HEAD + ROW * (i + 1);
      const cls = replyClass(ev);
      const g = el('g', { class: 'arrow' + (ev.seq > state.newestDrawn ? ' new' : ''),
                          'data-seq': ev.seq, tabindex: 0 }, svg);
      el('title', {}, g).textContent = describe(ev);
      const seq = el('text', { class: 'seq', x: left - 8, y: y + 4 }, g);
      seq.textContent = ev.seq;

      const cx = x.get(hostOf(ev.client)), sx = x.get(hostOf(ev.server));
      let x1, x2;
      if (ev.direction === 'to-server') { x1 = cx; x2 = sx; }
      else if (ev.direction === 'to-client') { x1 = sx; x2 = cx; }
      else { x1 = x2 = (sx !== undefined ? sx : (cx !== undefined ? cx : left + 20)); }

      if (x1 === x2) {
        /* Not on the wire: a mark on the server's lifeline. */
        el('circle', { class: cls, cx: x1, cy: y, r: 5 }, g);
        const t = el('text', { class: cls, x: x1 + 10, y: y + 4 }, g);
        t.textContent = shorten(ev.kind + (ev.text ? ': ' + ev.text : ''));
        el('line', { class: 'hit', x1: x1 - 10, y1: y, x2: x1 + 200, y2: y }, g);
        return;
      }

      const dir = x2 > x1 ? 1 : -1;
      el('line', { class: cls, x1: x1, y1: y, x2: x2 - dir * 8, y2: y }, g);
      el('polygon', { class: cls, points: [x2 + ',' + y, (x2 - dir * 10) + ',' + (y - 5), (x2 - dir * 10) + ',' + (y + 5)].join(' ') }, g);
      const t = el('text', { class: cls, x: Math.min(x1, x2) + 10, y: y - 5 }, g);
      t.textContent = shorten(ev.text || ev.kind);
      el('line', { class: 'hit', x1: x1, y1: y - 6, x2: x2, y2: y - 6 }, g);
      g.addEventListener('click', () => showDetails(ev));
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter') showDetails(ev); });
    });

    /* Host names stay in view while the arrows scroll under them. */
    const head = el('g', { id: 'ladder-head' }, svg);
    el('rect', { class: 'head-bg', x: 0, y: 0, width: width, height: HEAD - 6 }, head);
    for (const [h, hx] of x) {
      el('rect', { class: 'host-head', x: hx - headWidth / 2, y: 4, width: headWidth, height: HEAD - 14, rx: 6 }, head);
      const label = el('text', { class: 'host-label', x: hx, y: HEAD - 18 }, head);
      const fit = Math.floor(headWidth / 8);
      label.textContent = h.length > fit ? h.slice(0, fit - 1) + '…' : h;
      el('title', {}, label).textContent = h;
    }

    if (state.events.length)
      state.newestDrawn = state.events[state.events.length - 1].seq;
    if (atBottom)
      scroller.scrollTop = scroller.scrollHeight;
    stickHead();
  }

  function stickHead() {
    const head = document.getElementById('ladder-head');
    if (head) head.setAttribute('transform', 'translate(0,' + $('ladder-scroll').scrollTop + ')');
  }

  const ROLE_COLUMN = { submission: 1, relay: 1, mx: 2, mailbox: 3 };

  function columnOf(host) {
    const role = state.scenarioRoles.get(host);
    if (role in ROLE_COLUMN) return ROLE_COLUMN[role];
    if (role === 'client') {
      /* A client that talks to a submission server sends; else it reads. */
      const sends = state.scenarioLinks.some(([a, b]) =>
        (a === host && state.scenarioRoles.get(b) === 'submission') ||
        (b === host && state.scenarioRoles.get(a) === 'submission'));
      return sends ? 0 : 4;
    }
    return 0;  /* seen on the wire only: a client connecting from outside */
  }

  /* The map shows the scenario's hosts and links (the designed world)
   * plus any host seen on the wire that the scenario does not name. */
  function mapHosts() {
    const hosts = state.scenarioHosts.slice();
    for (const h of state.hosts)
      if (!hosts.includes(h)) hosts.push(h);
    return hosts;
  }

  function renderMap() {
    const svg = $('map');
    const width = svg.clientWidth || 800;
    const height = svg.clientHeight || 140;
    const hosts = mapHosts();
    const pos = new Map();

    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    /* Columns follow the mail's path: sending clients, submission,
     * MX, mailbox, reading clients; hosts of one role stack up. */
    const cols = new Map();
    for (const h of hosts) {
      const c = columnOf(h);
      if (!cols.has(c)) cols.set(c, []);
      cols.get(c).push(h);
    }
    const order = [...cols.keys()].sort((a, b) => a - b);
    const colWidth = width / Math.max(order.length, 1);
    order.forEach((c, ci) => {
      const members = cols.get(c);
      members.forEach((h, i) => {
        pos.set(h, [colWidth * (ci + 0.5), (height / members.length) * (i + 0.5)]);
      });
    });
    const boxWidth = Math.max(Math.min(colWidth - 10, 190), 40);

    const activeKey = state.active
      ? (state.active[0] < state.active[1] ? state.active.join('|') : [state.active[1], state.active[0]].join('|'))
      : null;
    const links = new Set(state.links.keys());
    for (const [a, b] of state.scenarioLinks)
      links.add(a < b ? a + '|' + b : b + '|' + a);
    for (const key of links) {
      const [a, b] = key.split('|');
      const pa = pos.get(a), pb = pos.get(b);
      if (!pa || !pb) continue;
      el('line', { class: 'link' + (key === activeKey ? ' active' : ''),
                   x1: pa[0], y1: pa[1], x2: pb[0], y2: pb[1] }, svg);
    }
    for (const [h, [px, py]] of pos) {
      const active = state.active && state.active.includes(h);
      const g = el('g', { class: 'host' + (active ? ' active' : '') }, svg);
      const w = boxWidth;
      el('rect', { x: px - w / 2, y: py - 16, width: w, height: 32, rx: 8 }, g);
      const t = el('text', { x: px, y: py + 5 }, g);
      const fit = Math.max(4, Math.floor(w / 8));
      t.textContent = h.length > fit ? h.slice(0, fit - 1) + '…' : h;
      el('title', {}, g).textContent = h;

      /* Faults switched on here: a red badge on the top-left corner. */
      const faults = state.faults.get(h);
      if (faults && faults.length) {
        const badge = el('g', { class: 'fault-badge', 'data-host': h }, svg);
        const text = faults.length === 1 ? '⚠ ' + faults[0] : '⚠ ' + faults.length + ' faults';
        const bw = Math.min(w, 14 + 7 * text.length);
        el('rect', { x: px - w / 2, y: py - 26, width: bw, height: 16, rx: 8 }, badge);
        const bt = el('text', { x: px - w / 2 + 7, y: py - 14 }, badge);
        bt.textContent = text;
        el('title', {}, badge).textContent = faults.join(', ');
      }
    }
  }

  /* Faults are state, not events: ask for them now and then. */
  function refreshFaults() {
    fetch('api/v1/faults')
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        const faults = new Map();
        for (const fault of (data && data.active) || [])
          for (const host of fault.hosts || []) {
            if (!faults.has(host)) faults.set(host, []);
            faults.get(host).push(fault.name);
          }
        const changed = JSON.stringify([...faults]) !== JSON.stringify([...state.faults]);
        state.faults = faults;
        if (changed) scheduleRender();
      })
      .catch(() => {});
  }

  function render() {
    state.dirty = false;
    renderMap();
    renderLadder();
    $('count').textContent = state.count;
    $('last-seq').textContent = state.lastSeq;
  }

  function showDetails(ev) {
    const body = $('details-body');
    const dl = document.createElement('dl');
    const rows = [
      ['Event', '#' + ev.seq + ' (' + ev.kind + ')'],
      ['Time', new Date(ev.time / 1000).toLocaleTimeString()],
      ['Protocol', (ev.protocol || '').toUpperCase()],
      ['Client', ev.client], ['Server', ev.server],
      ['Line', ev.text],
      ['Code', ev.code ? ev.code + (ev.enhanced ? ' ' + ev.enhanced : '') : null],
      ['Meaning', ev.explanation],
      ['State', ev.state],
      ['Flags', ev.flags && ev.flags.length ? ev.flags.join(', ') : null],
    ];
    for (const [k, v] of rows) {
      if (v === null || v === undefined || v === '') continue;
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = k;
      dd.textContent = v;
      dl.append(dt, dd);
    }
    body.replaceChildren(dl);
    $('details').hidden = false;
  }

  /* Acks go out at most ten times a second, or at once when half the
   * server's window is waiting on us. */
  function scheduleAck(ws, n) {
    state.unacked = (state.unacked || 0) + n;
    const send = () => {
      state.ackTimer = null;
      state.unacked = 0;
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ ack: state.lastSeq }));
    };
    if (state.unacked >= state.window / 2) {
      if (state.ackTimer) clearTimeout(state.ackTimer);
      send();
    } else if (!state.ackTimer) {
      state.ackTimer = setTimeout(send, 100);
    }
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(scheme + '//' + location.host + '/api/v1/events/stream?since=' + state.lastSeq);
    state.ws = ws;
    setStatus('Connecting…', 'connecting');

    ws.onopen = () => { state.retry = 0; };
    ws.onmessage = (msg) => {
      let data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      if (data.type === 'hello') {
        if (data.since < state.lastSeq) {
          /* The lab restarted: its sequence numbers began again. */
          state.events = [];
          state.lastSeq = data.since;
        }
        state.window = data.window || 2048;
        state.unacked = 0;
        setStatus('Live', 'live');
      } else if (data.type === 'events') {
        onEvents(data.events);
        scheduleAck(ws, data.events.length);
      } else if (data.type === 'gap') {
        /* The server's history no longer had these; carry on after them. */
        state.lastSeq = Math.max(state.lastSeq, data.to);
      } else if (data.type === 'error') {
        setStatus(data.error, 'error');
      }
    };
    ws.onclose = (e) => {
      state.ws = null;
      const delay = Math.min(10000, 500 * Math.pow(2, state.retry++));
      if (e.code !== 4429)
        setStatus('Reconnecting…', 'connecting');
      setTimeout(connect, delay);
    };
  }

  /* Open on the recent past, not the whole lesson. */
  function start() {
    fetch('api/v1/scenario')
      .then((r) => (r.ok ? r.json() : null))
      .then((scenario) => {
        if (!scenario) return;
        state.scenarioHosts = (scenario.hosts || []).map((h) => h.name);
        for (const h of scenario.hosts || []) state.scenarioRoles.set(h.name, h.role);
        state.scenarioLinks = (scenario.links || []).filter((l) => Array.isArray(l) && l.length === 2);
        scheduleRender();
      })
      .catch(() => {});
    fetch('api/v1/info')
      .then((r) => r.json())
      .then((info) => { state.lastSeq = Math.max(0, (info.last_seq || 0) - FIRST_VIEW); })
      .catch(() => {})
      .finally(connect);
  }

  refreshFaults();
  setInterval(refreshFaults, 2000);
  $('details-close').addEventListener('click', () => { $('details').hidden = true; });
  window.addEventListener('resize', scheduleRender);
  $('ladder-scroll').addEventListener('scroll', stickHead, { passive: true });
  start();
})();
