import net from 'node:net';
import { describe, expect, it } from 'vitest';

// tests/setup.ts runs before every test file; this proves the guard is active, so the rest of the suite passing
// means nothing in it reached for the network.
describe('the suite runs offline', () => {
  it('refuses outbound fetch', async () => {
    await expect(fetch('https://www.w3.org/ns/credentials/v2')).rejects.toThrow(/network access blocked/);
  });
  it('refuses outbound sockets but allows loopback', () => {
    expect(() => net.connect({ host: '93.184.216.34', port: 443 })).toThrow(/network access blocked/);
    const local = net.connect({ host: '127.0.0.1', port: 9 });
    local.on('error', () => undefined);
    local.destroy();
  });
});
