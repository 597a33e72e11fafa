import { describe, expect, it } from 'vitest';
import { layoutText } from '../../src/certificates/text-layout.js';

const UUID = 'F3A1C2D4-5B6E-4F70-8A9B-0C1D2E3F4A5B';
const style = { size: 9, weight: 'bold' as const };

describe('identifiers in the line breaker', () => {
  const width = layoutText(UUID, style, Infinity).width;

  it('a plain word wider than the line is cut between graphemes (running text)', () => {
    const block = layoutText([{ text: UUID, lang: 'en' }], style, width * 0.9);
    expect(block.lines.length).toBe(2);
    expect(block.overflow).toBe(false);
  });

  it('a kept identifier is never cut: the block reports overflow so the caller sets it smaller', () => {
    const block = layoutText([{ text: UUID, lang: 'en', keep: true }], style, width * 0.9);
    expect(block.lines.map((l) => l.runs.map((r) => r.text).join(''))).toEqual([UUID]);
    expect(block.overflow).toBe(true);
    const fits = layoutText([{ text: UUID, lang: 'en', keep: true }], { ...style, size: 8 }, width * 0.9);
    expect(fits.overflow).toBe(false);
    expect(fits.lines.map((l) => l.runs.map((r) => r.text).join(''))).toEqual([UUID]);
  });

  it('a kept URL inside a sentence moves to the next line whole; the sentence around it still wraps', () => {
    const url = 'https://verify.tesda.gov.ph/verify';
    const spans = [
      { text: 'Employers: scan this QR code with the Tanda verifier at ', lang: 'en' },
      { text: url, lang: 'en', keep: true },
      { text: ' (works offline).', lang: 'en' },
    ];
    const narrow = layoutText(url, style, Infinity).width * 1.2;
    const block = layoutText(spans, style, narrow);
    expect(block.overflow).toBe(false);
    const lines = block.lines.map((l) => l.runs.map((r) => r.text).join('').trim());
    expect(lines.some((l) => l.includes(url))).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
  });
});
