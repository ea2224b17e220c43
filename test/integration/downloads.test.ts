import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { createTestApp, type TestApp } from '../helpers/app.js';

// The zip served is the one the build wrote (`npm test` runs build:extension; the global set-up
// test/helpers/build-extension.ts builds it when it is out of date), so this checks the real download.
describe('GET /downloads/gatehouse-extension.zip', () => {
  let t: TestApp;
  let unbuilt: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
    unbuilt = await createTestApp({
      worker: false,
      extensionZip: path.join(os.tmpdir(), 'gatehouse-no-such-dir', 'gatehouse-extension.zip'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await unbuilt?.close();
  });

  it('hands anyone, signed in or not, the built Manifest V3 extension as a zip', async () => {
    const response = await t.client().get('/downloads/gatehouse-extension.zip');

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe('attachment; filename="gatehouse-extension.zip"');
    const files = unzipSync(new Uint8Array(response.rawPayload));
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['manifest.json', 'background.js', 'content.js', 'popup.html', 'popup.js']),
    );
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      manifest_version: 3,
      name: 'Gatehouse',
      background: { service_worker: 'background.js', type: 'module' },
      action: { default_popup: 'popup.html' },
    });
  });

  it('says how to build it when it has not been built', async () => {
    const response = await unbuilt.client().get('/downloads/gatehouse-extension.zip');

    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 404,
      detail: 'The browser extension has not been built: run npm run build.',
    });
  });
});
