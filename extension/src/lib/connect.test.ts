import { describe, expect, it } from 'vitest';
import {
  afterPoll,
  DENIED_MESSAGE,
  EXPIRED_MESSAGE,
  INVALID_GRANT_MESSAGE,
  startFlow,
  UNREACHABLE_MESSAGE,
  type ConnectFlow,
} from './connect.js';

const T0 = 1_700_000_000_000;

const START = {
  deviceCode: 'device-code-secret',
  userCode: 'BCDF-GHJK',
  verificationUri: 'https://gatehouse.example.com/app/connect',
  verificationUriComplete: 'https://gatehouse.example.com/app/connect?code=BCDF-GHJK',
  expiresIn: 600,
  interval: 5,
};

const GRANT = {
  sessionToken: 'session-token',
  deviceSecret: 'device-secret',
  device: { id: 'd1', name: 'gus Chrome - Linux', kind: 'extension', status: 'approved', createdAt: 'x' },
  user: { username: 'gus', displayName: 'Gus Guest', id: 'u1' },
  workspace: { slug: 'acme', name: 'Acme Inc' },
};

function flow(): ConnectFlow {
  return startFlow(START, T0)!;
}

const problem = (error: string, detail?: string) => ({
  status: 400,
  body: { type: `/api/problems/${error.replace('_', '-')}`, title: 'Not connected yet', status: 400, detail, error },
});

describe('startFlow', () => {
  it('keeps the codes, and when to poll and give up by this computer’s clock', () => {
    expect(flow()).toEqual({
      deviceCode: 'device-code-secret',
      userCode: 'BCDF-GHJK',
      verificationUri: START.verificationUri,
      verificationUriComplete: START.verificationUriComplete,
      expiresAt: T0 + 600_000,
      interval: 5,
      nextPollAt: T0 + 5_000,
    });
  });

  it('polls every 5 seconds when the server names no interval, and refuses an answer that is not a start', () => {
    expect(startFlow({ ...START, interval: undefined }, T0)?.interval).toBe(5);
    expect(startFlow({ ...START, verificationUriComplete: undefined }, T0)?.verificationUriComplete).toBe(
      START.verificationUri,
    );
    expect(startFlow({ ...START, deviceCode: '' }, T0)).toBeNull();
    expect(startFlow({ ...START, expiresIn: 0 }, T0)).toBeNull();
    expect(startFlow(null, T0)).toBeNull();
    expect(startFlow('<html>', T0)).toBeNull();
  });
});

describe('afterPoll (RFC 8628 §3.5)', () => {
  it('authorization_pending: polls again after the interval', () => {
    const outcome = afterPoll(flow(), problem('authorization_pending'), T0 + 5_000);
    expect(outcome).toEqual({ kind: 'pending', flow: { ...flow(), nextPollAt: T0 + 10_000 } });
  });

  it('slow_down: adds 5 seconds to the interval, for this and every later poll', () => {
    const first = afterPoll(flow(), problem('slow_down'), T0 + 5_000);
    expect(first.kind === 'pending' && first.flow).toMatchObject({ interval: 10, nextPollAt: T0 + 15_000 });
    if (first.kind !== 'pending') throw new Error('not pending');
    const second = afterPoll(first.flow, problem('authorization_pending'), T0 + 15_000);
    expect(second.kind === 'pending' && second.flow).toMatchObject({ interval: 10, nextPollAt: T0 + 25_000 });
    const third = afterPoll(first.flow, problem('slow_down'), T0 + 15_000);
    expect(third.kind === 'pending' && third.flow.interval).toBe(15);
  });

  it('expired_token, access_denied and invalid_grant stop with what the popup says', () => {
    expect(afterPoll(flow(), problem('expired_token'), T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'expired', message: EXPIRED_MESSAGE },
    });
    expect(afterPoll(flow(), problem('access_denied'), T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'denied', message: DENIED_MESSAGE },
    });
    expect(afterPoll(flow(), problem('invalid_grant'), T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'expired', message: INVALID_GRANT_MESSAGE },
    });
  });

  it("says why in the server's words when it gives them", () => {
    const detail =
      'Your workspace does not approve the browser extension. A workspace admin can approve it under Workspace settings, in Approved client apps.';
    expect(afterPoll(flow(), problem('access_denied', detail), T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'denied', message: detail },
    });
    expect(afterPoll(flow(), problem('expired_token', 'The code expired.'), T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'expired', message: 'The code expired.' },
    });
  });

  it('other refusals stop with the server’s detail', () => {
    const notApproved = {
      status: 403,
      body: {
        type: '/api/problems/client-app-not-approved',
        title: 'Client app not approved',
        status: 403,
        detail: 'Your workspace does not approve the browser extension.',
      },
    };
    expect(afterPoll(flow(), notApproved, T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'refused', message: 'Your workspace does not approve the browser extension.' },
    });
    expect(afterPoll(flow(), { status: 429, body: null }, T0)).toEqual({
      kind: 'stopped',
      notice: { kind: 'refused', message: 'Too many requests to Gatehouse. Try again in a moment.' },
    });
    // A 400 without an RFC 8628 error code is a refusal too.
    expect(afterPoll(flow(), { status: 400, body: { detail: 'Bad device code.' } }, T0)).toMatchObject({
      kind: 'stopped',
      notice: { kind: 'refused', message: 'Bad device code.' },
    });
  });

  it('a network failure keeps polling and says so; a pending answer after that clears it', () => {
    const failed = afterPoll(flow(), { networkError: true }, T0 + 5_000);
    expect(failed).toEqual({
      kind: 'pending',
      flow: { ...flow(), nextPollAt: T0 + 10_000, problem: UNREACHABLE_MESSAGE },
    });
    if (failed.kind !== 'pending') throw new Error('not pending');
    const recovered = afterPoll(failed.flow, problem('authorization_pending'), T0 + 10_000);
    expect(recovered.kind === 'pending' && 'problem' in recovered.flow).toBe(false);
  });

  it('gives up by itself once the code has long expired, whatever the answer', () => {
    const late = T0 + 600_000 + 5_000;
    expect(afterPoll(flow(), { networkError: true }, late)).toMatchObject({
      kind: 'stopped',
      notice: { kind: 'expired' },
    });
    expect(afterPoll(flow(), problem('authorization_pending'), late)).toMatchObject({
      kind: 'stopped',
      notice: { kind: 'expired' },
    });
    // Before that, the server decides.
    expect(afterPoll(flow(), problem('authorization_pending'), T0 + 600_000).kind).toBe('pending');
  });

  it('success: keeps the session, the device secret and who is connected, nothing else', () => {
    expect(afterPoll(flow(), { status: 200, body: GRANT }, T0)).toEqual({
      kind: 'connected',
      grant: {
        sessionToken: 'session-token',
        deviceSecret: 'device-secret',
        device: { id: 'd1', name: 'gus Chrome - Linux', kind: 'extension', status: 'approved' },
        user: { username: 'gus', displayName: 'Gus Guest' },
        workspace: { slug: 'acme', name: 'Acme Inc' },
      },
    });
    expect(afterPoll(flow(), { status: 200, body: { ...GRANT, deviceSecret: undefined } }, T0)).toMatchObject({
      kind: 'stopped',
      notice: { kind: 'refused' },
    });
  });
});
