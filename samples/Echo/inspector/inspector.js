'use strict';
// The inspector's client. The trace socket (/inspect/trace) first sends {"type":"trace","id"}; the page then opens the
// inspected echo at /inspect?trace=<id>. Every event of the connections inspected under that id comes on the trace
// socket as the server has it: "handshake", "frame" (each frame as read), "message" (after its frames), "ping",
// "ended", "error". The inspected socket carries only echoes, in the order of its messages.
(() => {
  const $ = (id) => document.getElementById(id);
  const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  const trace = new WebSocket(`${base}/inspect/trace`);
  let traceId = null;
  let socket = null;
  const clients = new Map(); // connection id → "browser" or "dotnet"
  const dataFrames = new Map(); // connection id → data frames read since its last message
  const awaitingEcho = []; // entries of the browser's messages, oldest first
  const echoes = []; // echoes that came before their entry
  let count = 0;

  trace.addEventListener('open', () => { $('trace-status').textContent = 'open'; });
  trace.addEventListener('close', (e) => { $('trace-status').textContent = `closed (${e.code})`; });
  trace.addEventListener('message', (e) => handle(JSON.parse(e.data)));

  function connect() {
    awaitingEcho.length = 0;
    echoes.length = 0;
    $('status').textContent = 'connecting';
    $('reconnect').disabled = true;
    socket = new WebSocket(`${base}/inspect?trace=${encodeURIComponent(traceId)}`);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => { $('status').textContent = 'open'; });
    socket.addEventListener('close', (e) => {
      $('status').textContent = `closed (${e.code})`;
      $('reconnect').disabled = false;
    });
    socket.addEventListener('message', (e) => { echoes.push(e.data); pairEchoes(); });
  }

  function handle(event) {
    switch (event.type) {
      case 'trace':
        traceId = event.id;
        connect();
        break;
      case 'handshake':
        clients.set(event.connection, event.client);
        if (event.client === 'browser') showHandshake(event);
        else note(`Connection ${event.connection}: the server's .NET client connected with key ${event.key}; the server answered ${event.accept}.`);
        break;
      case 'frame':
        if (event.frame.opcode >= 8) showControl(event);
        else framesOf(event.connection).push(event.frame);
        break;
      case 'message':
        showMessage(event);
        break;
      case 'ping':
        note(`The server sent a ping to connection ${event.connection} with data "${event.payload}".`);
        break;
      case 'ended':
        note(`Connection ${event.connection} ended, ${event.status === null ? 'without a close code' : `close code ${event.status}`}.`);
        break;
      case 'error':
        note(event.message, 'error');
        break;
      default:
        break;
    }
  }

  function framesOf(connection) {
    if (!dataFrames.has(connection)) dataFrames.set(connection, []);
    return dataFrames.get(connection);
  }

  function showHandshake(h) {
    $('hs-key').textContent = h.key;
    $('hs-joined').textContent = h.keyWithGuid;
    $('hs-sha1').textContent = h.sha1;
    $('hs-accept').textContent = h.accept;
    $('hs-extensions').textContent = h.offeredExtensions || '(none)';
  }

  const lengthFormNames = { 7: '7-bit', 16: '16-bit (126 + 2 bytes)', 64: '64-bit (127 + 8 bytes)' };
  const columns = ['FIN', 'RSV1', 'RSV2', 'RSV3', 'Opcode', 'MASK', 'Length form', 'Payload length', 'Masking key', 'First bytes (masked)', 'First bytes (unmasked)'];

  function cell(row, text, className) {
    const td = row.insertCell();
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function frameTable(frames) {
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of columns) { const th = document.createElement('th'); th.textContent = c; head.append(th); }
    const body = table.createTBody();
    for (const f of frames) {
      const row = body.insertRow();
      row.className = 'frame';
      cell(row, f.fin ? '1' : '0', 'fin');
      cell(row, f.rsv1 ? '1' : '0');
      cell(row, f.rsv2 ? '1' : '0');
      cell(row, f.rsv3 ? '1' : '0');
      cell(row, `${f.opcode} (${f.opcodeName})`, 'opcode');
      cell(row, f.masked ? '1' : '0', 'masked');
      cell(row, lengthFormNames[f.lengthForm], 'length-form');
      cell(row, String(f.payloadLength), 'payload-length');
      cell(row, f.maskKey, 'mask-key');
      cell(row, spaced(f.maskedHex), 'hex');
      cell(row, spaced(f.unmaskedHex), 'hex');
    }
    return table;
  }

  function entry(className, client, text) {
    const li = document.createElement('li');
    li.className = className;
    li.dataset.client = client || 'unknown';
    const title = document.createElement('p');
    title.className = 'title';
    title.textContent = text;
    li.append(title);
    $('messages').prepend(li);
    return li;
  }

  function showMessage(m) {
    count += 1;
    const client = clients.get(m.connection);
    const frames = framesOf(m.connection).splice(0);
    const from = client === 'dotnet' ? `from the server's .NET client (connection ${m.connection})` : `from this page (connection ${m.connection})`;
    const li = entry('message', client, `#${count}: ${m.opcode}, ${m.length} bytes, in ${frames.length} frame${frames.length === 1 ? '' : 's'}, ${from}`);
    li.dataset.length = String(m.length);
    li.dataset.frames = String(frames.length);
    li.append(frameTable(frames));
    if (client === 'browser') {
      awaitingEcho.push(li);
      pairEchoes();
    }
  }

  function pairEchoes() {
    while (awaitingEcho.length > 0 && echoes.length > 0) {
      const li = awaitingEcho.shift();
      const echo = echoes.shift();
      const preview = document.createElement('p');
      preview.className = 'echo';
      if (typeof echo === 'string') {
        preview.textContent = `echo: ${echo.length > 80 ? `${echo.slice(0, 80)}…` : echo}`;
      } else {
        const bytes = new Uint8Array(echo);
        preview.textContent = `echo: ${hex(bytes.subarray(0, 32))}${bytes.length > 32 ? '…' : ''} (${bytes.length} bytes)`;
      }
      li.querySelector('p.title').after(preview);
    }
  }

  function showControl(event) {
    const f = event.frame;
    const client = clients.get(event.connection);
    const li = entry('control', client, `${f.opcodeName} frame from connection ${event.connection} (${client === 'dotnet' ? "the server's .NET client" : 'this page'})`);
    li.dataset.opcode = f.opcodeName;
    if (f.closeCode !== undefined) {
      const close = document.createElement('p');
      close.className = 'close';
      close.append('close code ');
      const code = document.createElement('span');
      code.className = 'close-code';
      code.textContent = String(f.closeCode);
      const reason = document.createElement('span');
      reason.className = 'close-reason';
      reason.textContent = f.closeReason;
      close.append(code, ', reason "', reason, '"');
      li.append(close);
    }
    li.append(frameTable([f]));
  }

  function note(text, kind) {
    entry(kind ? `note ${kind}` : 'note', null, text);
  }

  function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' '); }
  function spaced(h) { return h.replace(/(..)(?!$)/g, '$1 '); }

  function generated(size, kind) {
    if (kind === 'text') return 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(size / 36)).slice(0, size);
    // Random bytes do not compress, so with permessage-deflate the frame keeps the length form of its size.
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
    return bytes;
  }

  function command(c) { trace.send(JSON.stringify(c)); }

  $('typed').addEventListener('submit', (e) => { e.preventDefault(); socket.send($('text').value); });
  $('send-binary').addEventListener('click', () => { socket.send(new TextEncoder().encode($('text').value)); });
  $('generated').addEventListener('submit', (e) => {
    e.preventDefault();
    socket.send(generated(Number($('size').value), $('kind').value));
  });
  $('fragmented').addEventListener('submit', (e) => {
    e.preventDefault();
    command({ command: 'fragmented', kind: $('fragmented-kind').value, size: Number($('fragmented-size').value), fragmentSize: Number($('fragment-size').value) });
  });
  $('ping-form').addEventListener('submit', (e) => { e.preventDefault(); command({ command: 'ping', payload: $('ping-payload').value }); });
  $('close-form').addEventListener('submit', (e) => {
    e.preventDefault();
    try {
      socket.close(Number($('close-code').value), $('close-reason').value);
    } catch (error) {
      note(`The browser refused to close: ${error.message}`, 'error');
    }
  });
  $('reconnect').addEventListener('click', connect);
})();
