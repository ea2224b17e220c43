import { describe, expect, it } from 'vitest';
import { parseGatehouseAddress } from './address.js';

describe('parseGatehouseAddress', () => {
  it("keeps the server's origin from what people paste", () => {
    expect(parseGatehouseAddress(' https://gatehouse.example.com/app/accounts?x=1 ')).toEqual({
      ok: true,
      origin: 'https://gatehouse.example.com',
    });
    expect(parseGatehouseAddress('gatehouse.example.com')).toEqual({
      ok: true,
      origin: 'https://gatehouse.example.com',
    });
    expect(parseGatehouseAddress('https://gatehouse.example.com:8443')).toEqual({
      ok: true,
      origin: 'https://gatehouse.example.com:8443',
    });
  });

  it('accepts plain http only for this computer', () => {
    expect(parseGatehouseAddress('http://localhost:3000/')).toEqual({ ok: true, origin: 'http://localhost:3000' });
    expect(parseGatehouseAddress('http://127.0.0.1:3000')).toEqual({ ok: true, origin: 'http://127.0.0.1:3000' });
    expect(parseGatehouseAddress('http://[::1]:3000')).toEqual({ ok: true, origin: 'http://[::1]:3000' });
    expect(parseGatehouseAddress('http://gatehouse.example.com')).toEqual({
      ok: false,
      error: 'Use an https:// address: plain http is only accepted for localhost.',
    });
  });

  it('explains what is wrong with anything else', () => {
    expect(parseGatehouseAddress('   ')).toMatchObject({ ok: false, error: expect.stringContaining('Enter your') });
    expect(parseGatehouseAddress('https://exa mple.com')).toMatchObject({ ok: false });
    expect(parseGatehouseAddress('ftp://gatehouse.example.com')).toMatchObject({ ok: false });
    expect(parseGatehouseAddress('https://me:pw@gatehouse.example.com')).toMatchObject({ ok: false });
  });
});
