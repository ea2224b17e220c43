import { describe, expect, it } from 'vitest';
import { issuerUrlProblem } from './oidc.js';

describe('issuer URLs', () => {
  it('accepts https anywhere and http only on this machine', () => {
    expect(issuerUrlProblem('https://login.example.com')).toBeNull();
    expect(issuerUrlProblem('https://login.example.com/tenant/v2.0')).toBeNull();
    expect(issuerUrlProblem('http://127.0.0.1:4000')).toBeNull();
    expect(issuerUrlProblem('http://localhost:4000')).toBeNull();
    expect(issuerUrlProblem('http://login.example.com')).toMatch(/https:\/\//);
    expect(issuerUrlProblem('http://127.0.0.1.example.com')).toMatch(/https:\/\//);
    expect(issuerUrlProblem('ftp://login.example.com')).toMatch(/https:\/\//);
    expect(issuerUrlProblem('login.example.com')).toMatch(/must be a URL/);
    expect(issuerUrlProblem('https://login.example.com/?tenant=1')).toMatch(/query/);
    expect(issuerUrlProblem('https://user:pw@login.example.com')).toMatch(/user name or password/);
  });
});
