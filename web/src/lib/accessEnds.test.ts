import { describe, expect, it } from 'vitest';
import { chosenDayOf, endOfChosenDay, todayInput } from './accessEnds';

describe('access end days', () => {
  it('ends access when the chosen day is over, in local time, and reads back as that day', () => {
    const end = endOfChosenDay('2026-12-10')!;
    expect(new Date(end).getTime()).toBe(new Date(2026, 11, 11).getTime());
    expect(chosenDayOf(end)).toBe('2026-12-10');
  });

  it('gives no end for an empty or malformed field', () => {
    expect(endOfChosenDay('')).toBeNull();
    expect(endOfChosenDay('10/12/2026')).toBeNull();
  });

  it('offers today as the earliest day', () => {
    expect(todayInput(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
