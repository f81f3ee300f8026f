'use strict';
// The inspector's client. The server at /inspect first sends {"type":"handshake"}; then, for each message, a
// {"type":"frames"} text message with its reading of the frames, followed by the echo itself.
(() => {
  const $ = (id) => document.getElementById(id);
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/inspect`;
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  let pendingFrames = null; // the last "frames" message, waiting for its echo
  let count = 0;

  socket.addEventListener('open', () => { $('status').textContent = 'open'; });
  socket.addEventListener('close', (e) => { $('status').textContent = `closed (${e.code})`; });
  socket.addEventListener('message', (e) => {
    if (pendingFrames) {
      showMessage(pendingFrames, e.data);
      pendingFrames = null;
      return;
    }
    const report = JSON.parse(e.data);
    if (report.type === 'handshake') showHandshake(report);
    else if (report.type === 'frames') pendingFrames = report;
  });

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

  function showMessage(report, echo) {
    count += 1;
    const li = document.createElement('li');
    li.className = 'message';
    li.dataset.length = String(report.length);
    const title = document.createElement('p');
    const echoed = typeof echo === 'string' ? echo : new Uint8Array(echo);
    title.textContent = `#${count}: ${report.opcode}, ${report.length} bytes, echoed ${echoed.length === report.length || typeof echo === 'string' ? 'back' : 'with a different length'}`;
    li.append(title);
    const preview = document.createElement('p');
    preview.className = 'echo';
    preview.textContent = typeof echo === 'string'
      ? `echo: ${echo.length > 80 ? `${echo.slice(0, 80)}…` : echo}`
      : `echo: ${hex(echoed.subarray(0, 32))}${echoed.length > 32 ? '…' : ''}`;
    li.append(preview);
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of columns) { const th = document.createElement('th'); th.textContent = c; head.append(th); }
    const body = table.createTBody();
    for (const f of report.frames) {
      const row = body.insertRow();
      row.className = 'frame';
      cell(row, f.fin ? '1' : '0');
      cell(row, f.rsv1 ? '1' : '0');
      cell(row, f.rsv2 ? '1' : '0');
      cell(row, f.rsv3 ? '1' : '0');
      cell(row, `${f.opcode} (${f.opcodeName})`);
      cell(row, f.masked ? '1' : '0');
      cell(row, lengthFormNames[f.lengthForm], 'length-form');
      cell(row, String(f.payloadLength), 'payload-length');
      cell(row, f.maskKey, 'mask-key');
      cell(row, spaced(f.maskedHex), 'hex');
      cell(row, spaced(f.unmaskedHex), 'hex');
    }
    li.append(table);
    $('messages').prepend(li);
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

  $('typed').addEventListener('submit', (e) => { e.preventDefault(); socket.send($('text').value); });
  $('send-binary').addEventListener('click', () => { socket.send(new TextEncoder().encode($('text').value)); });
  $('generated').addEventListener('submit', (e) => {
    e.preventDefault();
    socket.send(generated(Number($('size').value), $('kind').value));
  });
})();
