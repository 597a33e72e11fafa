import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from './helpers/db.js';
import { freshDatabase, portOf, startServer } from './helpers/server-process.js';

let dataDir: string;
let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-shutdown-'));
  db = await freshDatabase(dataDir);
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a request's head and the first part of its body, and returns a function that sends the rest. */
function halfSentRequest(port: number, body: string): { rest(): void; response: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  const cut = Math.floor(body.length / 2);
  socket.write(`POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, cut)}`);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  const response = new Promise<string>((resolve, reject) => {
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
  return { rest: () => socket.write(body.slice(cut)), response };
}

describe(`graceful shutdown on ${testDialect}`, () => {
  it('a request in flight when SIGTERM arrives is answered in full (it reads the database), then the process exits 0', async () => {
    const server = startServer({ ...db.env, TANDA_SEED_DEMO: 'false' });
    try {
      const port = await portOf(server);
      const inFlight = halfSentRequest(port, JSON.stringify({ email: 'nobody@example.org', password: 'not the password at all' }));
      // The half-sent request is being read once the server has its connection; a liveness request on a second
      // connection, answered, shows the server is past accepting the first.
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      server.child.kill('SIGTERM');
      await server.waitFor(/shutting down: draining/);
      inFlight.rest();
      const response = await inFlight.response;
      expect(response).toMatch(/^HTTP\/1\.1 401 /);
      expect(response).toContain('"code":"invalid_credentials"');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shut down cleanly');
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 120_000);
});
