import { describe, expect, it } from 'vitest';
import { startupLine } from './startup-line.js';

describe('the line `gatehouse serve` prints in a terminal', () => {
  it('names the address to open, the development outbox, and when to set GATEHOUSE_PUBLIC_URL', () => {
    expect(
      startupLine({
        listeningUrl: 'http://127.0.0.1:3000',
        publicUrl: new URL('http://localhost:3000'),
        publicUrlIsDefault: true,
        devOutbox: true,
      }),
    ).toBe(
      'Gatehouse is ready: open http://localhost:3000/ (listening on http://127.0.0.1:3000). Mail stays in the development outbox: http://localhost:3000/app/dev/outbox. Links in mail use http://localhost:3000/: set GATEHOUSE_PUBLIC_URL to the address people reach this server at, if it is another (another machine, a proxy, https).',
    );
  });

  it('says only the address when the public URL is set and mail goes out by SMTP', () => {
    expect(
      startupLine({
        listeningUrl: 'http://0.0.0.0:8080',
        publicUrl: new URL('https://gatehouse.acme.test/'),
        publicUrlIsDefault: false,
        devOutbox: false,
      }),
    ).toBe('Gatehouse is ready: open https://gatehouse.acme.test/ (listening on http://0.0.0.0:8080).');
  });
});
