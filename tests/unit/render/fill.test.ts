import fc from 'fast-check';
import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../functions/domain/render/fill';

describe('escapeHtml', () => {
  it('escapes as Mustache does, whatever was escaped before it', () => {
    // Prepare: values that share starts, as a mail's links do, so that the reuse of the last start is exercised.
    const head = fc.constantFrom('', 'https://ft.example/a/', 'https://ft.example/u/', 'a=b&c', '<', '/');
    const tail = fc.string({
      unit: fc.constantFrom('a', '0', '.', '-', ' ', '&', '<', '>', '"', "'", '`', '=', '/', 'é', '😀'),
      maxLength: 12,
    });
    const values = fc.array(
      fc.tuple(head, tail).map(([start, rest]) => start + rest),
      { maxLength: 8 },
    );

    // Act
    const check = () =>
      fc.assert(
        fc.property(values, (texts) => texts.every((text) => escapeHtml(text) === Mustache.escape(text))),
        { numRuns: 5000, seed: 3 },
      );

    // Assess
    expect(check).not.toThrow();
  });

  it('returns text with nothing to escape as it is', () => {
    // Prepare
    const text = 'Fri 13 Nov · Marcus Reid';

    // Act
    const escaped = escapeHtml(text);

    // Assess
    expect(escaped).toBe(text);
  });
});
