import { describe, expect, it } from 'vitest';
import { problemMessage, problemName, readProblem, sessionEndMessage, sessionEndReason } from './problems.js';

describe('readProblem', () => {
  it('keeps the text fields a problem may have, and nothing from a body that is not one', () => {
    expect(
      readProblem({
        type: '/api/problems/session-ended',
        title: 'Session ended',
        status: 401,
        detail: 'This device was removed.',
        reason: 'device_removed',
        extra: { x: 1 },
      }),
    ).toEqual({
      type: '/api/problems/session-ended',
      title: 'Session ended',
      detail: 'This device was removed.',
      reason: 'device_removed',
    });
    expect(readProblem(null)).toEqual({});
    expect(readProblem('text')).toEqual({});
    expect(readProblem({ detail: 42, error: '' })).toEqual({});
  });

  it('names the problem type by its last part', () => {
    expect(problemName({ type: '/api/problems/client-app-not-approved' })).toBe('client-app-not-approved');
    expect(problemName({})).toBeUndefined();
  });
});

describe('the end of a session', () => {
  it('keeps a known reason, and calls anything else unknown', () => {
    expect(sessionEndReason({ reason: 'idle_timeout' })).toBe('idle_timeout');
    expect(sessionEndReason({ reason: 'device_removed' })).toBe('device_removed');
    expect(sessionEndReason({ reason: 'something_new' })).toBe('unknown');
    expect(sessionEndReason({})).toBe('unknown');
  });

  it("says why in the server's words, else in the extension's own", () => {
    expect(sessionEndMessage({ reason: 'device_removed', detail: 'An admin removed this device.' })).toBe(
      'An admin removed this device.',
    );
    expect(sessionEndMessage({ reason: 'device_removed' })).toBe(
      'This browser extension was removed from your trusted devices.',
    );
    expect(sessionEndMessage({})).toBe('Your Gatehouse session ended.');
  });
});

describe('problemMessage', () => {
  it('is the detail, else the title, else a sentence for the status', () => {
    expect(problemMessage(403, { title: 'Forbidden', detail: 'Passwords go only to a trusted session.' })).toBe(
      'Passwords go only to a trusted session.',
    );
    expect(problemMessage(403, { title: 'Forbidden' })).toBe('Forbidden');
    expect(problemMessage(429, {})).toBe('Too many requests to Gatehouse. Try again in a moment.');
    expect(problemMessage(502, {})).toBe('Gatehouse could not answer (error 502). Try again in a moment.');
    expect(problemMessage(404, {})).toBe('Gatehouse refused the request (error 404).');
  });
});
