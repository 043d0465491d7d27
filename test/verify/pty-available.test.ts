import { describe, expect, it, vi } from 'vitest';
import { ptyAvailable } from './verify-terminal.js';

/** The Ctrl-C tests need a real pseudo-terminal: CI (DMR_REQUIRE_SERVICES=1) must not let them skip unseen. */
describe('without python3 pty, the terminal tests', () => {
  it('fail under DMR_REQUIRE_SERVICES=1, naming what cannot run', () => {
    expect(() => ptyAvailable('the copy Ctrl-C tests', false, true)).toThrow(
      /^DMR_REQUIRE_SERVICES=1 but python3 with the pty module is not available .*: the copy Ctrl-C tests cannot run$/,
    );
  });

  it('skip with a printed reason otherwise, and run when it is there', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(ptyAvailable('the copy Ctrl-C tests', false, false)).toBe(false);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^skipping the copy Ctrl-C tests: python3 with the pty/));
      expect(ptyAvailable('the copy Ctrl-C tests', true, true)).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});
