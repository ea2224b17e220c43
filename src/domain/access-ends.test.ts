import { describe, expect, it } from 'vitest';
import { dueForWarning, endDateRefusal, EXPIRY_WARNING_MS, hasEnded } from './access-ends.js';

const now = Date.parse('2026-12-03T12:00:00Z');
const at = (ms: number) => new Date(now + ms);

describe('access that ends', () => {
  it('has ended from the moment itself on, never without a date', () => {
    expect(hasEnded(at(-1), now)).toBe(true);
    expect(hasEnded(at(0), now)).toBe(true);
    expect(hasEnded(at(1), now)).toBe(false);
    expect(hasEnded(null, now)).toBe(false);
  });

  it('is due for its warning within seven days of the end, once, and not after the end', () => {
    expect(dueForWarning(at(EXPIRY_WARNING_MS), null, now)).toBe(true);
    expect(dueForWarning(at(EXPIRY_WARNING_MS + 1), null, now)).toBe(false);
    expect(dueForWarning(at(60_000), at(-1000), now)).toBe(false);
    expect(dueForWarning(at(-1), null, now)).toBe(false);
    expect(dueForWarning(null, null, now)).toBe(false);
  });

  it('refuses an end that is not in the future', () => {
    expect(endDateRefusal(at(0), now)).toMatch(/future/);
    expect(endDateRefusal(at(-86_400_000), now)).toMatch(/future/);
    expect(endDateRefusal(at(1000), now)).toBeNull();
  });
});
