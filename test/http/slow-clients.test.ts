// Connections that trickle their headers or their body are closed after the configured timeouts
// (Node's defaults would keep them for 60 s and 300 s), so slow clients cannot hold the server.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { startServiceHarness, type ServiceHarness } from '../helpers/service.ts';

let h: ServiceHarness;
before(async () => {
  h = await startServiceHarness({ env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' } });
});
after(() => h?.stop());

/** Opens a connection, sends `first`, then one byte of `trickle` every 200 ms; resolves when the server ends it. */
function slowClient(first: string, trickle: string): Promise<{ closedAfterMs: number; answer: string }> {
  const { hostname, port } = new URL(h.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(first));
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed && i < trickle.length) socket.write(trickle[i++]!);
    }, 200);
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => {}); // a reset by the server is the point
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, answer });
    });
    setTimeout(() => reject(new Error('the server kept the slow connection open for 15 s')), 15_000).unref();
  });
}

test('a client trickling its headers is cut off after HTTP_HEADERS_TIMEOUT_MS', async () => {
  const { closedAfterMs, answer } = await slowClient('POST /retell/webhook HTTP/1.1\r\nHost: x\r\n', 'X-Slow: ' + 'a'.repeat(200));
  assert.ok(closedAfterMs < 4000, `closed after ${closedAfterMs} ms`);
  assert.ok(answer === '' || /^HTTP\/1\.1 408/.test(answer), answer);
});

test('a client trickling its body is cut off after HTTP_REQUEST_TIMEOUT_MS', async () => {
  const head = 'POST /retell/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n';
  const { closedAfterMs } = await slowClient(head, '{'.repeat(5000));
  assert.ok(closedAfterMs < 6000, `closed after ${closedAfterMs} ms`);
  // and the server still answers others
  assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
});
