import { describe, expect, it } from 'vitest';
import { tablesDifferingText } from '../../src/cli/render/status-text.js';

/** `dmr status`'s last-verified line: the count of differing tables reads as English for 0, 1 and n. */
describe('tablesDifferingText', () => {
  it.each([
    [0, 1, '1 table, none differs'],
    [0, 3, '3 tables, none differs'],
    [1, 1, '1 of 1 table differs'],
    [1, 5, '1 of 5 tables differs'],
    [2, 5, '2 of 5 tables differ'],
    [0, 0, 'no table compared'],
  ])('%i differing of %i compared: %s', (differing, compared, text) => {
    expect(tablesDifferingText(differing, compared)).toBe(text);
  });
});
