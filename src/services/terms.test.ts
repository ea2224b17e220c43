import { describe, expect, it } from 'vitest';
import { DEFAULT_TERMS_BODY } from './terms.js';

describe('the default terms', () => {
  it('break lines only between paragraphs, never in mid-sentence (the page keeps line breaks)', () => {
    const paragraphs = DEFAULT_TERMS_BODY.split('\n\n');
    expect(paragraphs).toHaveLength(3);
    for (const paragraph of paragraphs) expect(paragraph).not.toContain('\n');
    expect(paragraphs[1]).toMatch(/^By using this workspace .* Activity in this workspace is recorded\.$/);
  });
});
