import { describe, expect, it } from 'vitest';
import { verifyText } from '../../src/cli/render/verify-text.js';
import type { TableVerdict, VerifyResult } from '../../src/core/verify/verify-types.js';

const longDecimal = `${'1234567890'.repeat(5)}.25`;

const table: TableVerdict = {
  table: 'prices',
  targetTable: 'prices',
  status: 'different',
  sourceRows: 3,
  targetRows: 3,
  comparison: 'key',
  keyColumns: ['id'],
  comparedColumns: ['amount', 'ratio', 'code'],
  numericColumns: ['id', 'amount', 'ratio'],
  missingInTarget: [],
  extraInTarget: [],
  changed: [
    { key: { id: '1' }, columns: { amount: ['-0.5', '1e+21'], ratio: ['NaN', null], code: ['12', "it's"] } },
    { key: { id: '2' }, columns: { amount: [longDecimal, '1'] } },
  ],
  duplicatesInSource: [],
  duplicatesInTarget: [],
  missingRows: [{ row: { amount: '3', code: '3' }, count: 2 }],
  extraRows: [],
  differenceCount: 4,
  truncated: false,
  segmentsDownloaded: 1,
  durationMs: 1,
  reason: null,
};

const result: VerifyResult = {
  source: 'a',
  target: 'b',
  mode: 'checksum',
  status: 'different',
  tables: [table],
  startedAt: new Date(0),
  durationMs: 1,
};

/** Issue 12 point 6: a number reads as a number (`qty: 12 → 99`, not `'12' → '99'`); a string stays quoted. */
describe('verify text report values', () => {
  it('numbers of numeric columns bare (shortened like strings), strings quoted, NULL as NULL', () => {
    const lines = verifyText(result).split('\n');
    expect(lines.filter((l) => /^ {2}[~-] /.test(l))).toEqual([
      "  ~ id=1  amount: -0.5 → 1e+21  ratio: NaN → NULL  code: '12' → 'it\\'s'",
      `  ~ id=2  amount: ${longDecimal.slice(0, 39)}… (53 chars) → 1`,
      "  - 2× amount=3 code='3'",
    ]);
  });

  it('--redact hides numbers as it hides strings', () => {
    const lines = verifyText(result, { redact: true }).split('\n');
    expect(lines).toContain('  ~ id=1  amount: *** → ***  ratio: *** → ***  code: *** → ***');
    expect(lines).toContain('  - 2× amount=*** code=***');
  });
});
