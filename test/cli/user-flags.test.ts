import { describe, expect, it } from 'vitest';
import { passwordNote, shellWord, urlHasPassword, withUserFlags } from '../../src/core/hints/user-flags.js';

describe('suggested commands carry the flags the user gave', () => {
  const flags = { url: 'postgres://app@db:5432/erp', schema: 'Etl', sqlDir: 'pipelines/sql' };

  it('adds connection and path flags to each command that accepts them', () => {
    expect(withUserFlags('run `dmr resume`', flags)).toBe(
      'run `dmr resume --url postgres://app@db:5432/erp --schema Etl --sql-dir pipelines/sql`',
    );
    expect(withUserFlags('dmr doctor --fix --yes, then dmr resume', { schema: 'Etl' })).toBe(
      'dmr doctor --fix --yes --schema Etl, then dmr resume --schema Etl',
    );
    // reset, stop and init have no --sql-dir
    expect(withUserFlags('dmr reset --stage rds --to initial --yes', flags)).toBe(
      'dmr reset --stage rds --to initial --yes --url postgres://app@db:5432/erp --schema Etl',
    );
  });

  it('keeps prose after the command and flags already written', () => {
    expect(withUserFlags('run `dmr init` or `dmr migrate` first', { env: 'prod' })).toBe(
      'run `dmr init --env prod` or `dmr migrate --env prod` first',
    );
    expect(withUserFlags('dmr status (or `dmr stop` to stop it)', { env: 'prod' })).toBe(
      'dmr status --env prod (or `dmr stop --env prod` to stop it)',
    );
    expect(withUserFlags('dmr migrate --from rds once the fix is in', { env: 'prod' })).toBe(
      'dmr migrate --from rds --env prod once the fix is in',
    );
    expect(withUserFlags('dmr status --env prod', { env: 'prod' })).toBe('dmr status --env prod');
    expect(withUserFlags('dmr init or dmr migrate creates it', { env: 'prod' })).toBe(
      'dmr init --env prod or dmr migrate --env prod creates it',
    );
  });

  it('never repeats a password: points to DMR_DATABASE_URL or --env instead, once', () => {
    const text = withUserFlags('dmr doctor --fix --yes, then dmr resume', {
      url: 'postgres://app:s3cret@db/erp',
      sqlDir: 'x',
    });
    expect(text).toBe(`dmr doctor --fix --yes --sql-dir x, then dmr resume --sql-dir x ${passwordNote}`);
    expect(text).not.toContain('s3cret');
    expect(urlHasPassword('mysql://root:pw@h/db')).toBe(true);
    expect(urlHasPassword('mssql://h/db?password=pw')).toBe(true);
    expect(urlHasPassword('postgres://app@h/db')).toBe(false);
    expect(urlHasPassword('sqlite:./data.db')).toBe(false);
  });

  it('verify --record gets the status database flags (its verdict is stored there), never --sql-dir', () => {
    const placeholders = '--source <source-url> --target <target-url>';
    expect(withUserFlags(`run \`dmr verify --record ${placeholders}\` after a migration`, flags)).toBe(
      `run \`dmr verify --record ${placeholders} --url postgres://app@db:5432/erp --schema Etl\` after a migration`,
    );
    expect(withUserFlags(`dmr verify --record ${placeholders}`, { env: 'prod', knexfile: 'db/knexfile.ts' })).toBe(
      `dmr verify --record ${placeholders} --env prod --knexfile db/knexfile.ts`,
    );
    const secret = withUserFlags(`dmr verify --record ${placeholders}`, { url: 'postgres://app:s3cret@db/erp' });
    expect(secret).toBe(`dmr verify --record ${placeholders} ${passwordNote}`);
  });

  it('leaves copy and verify without --record alone (their databases are --source and --target)', () => {
    expect(withUserFlags('check it with `dmr verify --source <source-url> --target <target-url>`', flags)).toBe(
      'check it with `dmr verify --source <source-url> --target <target-url>`',
    );
    expect(withUserFlags('re-run dmr verify', flags)).toBe('re-run dmr verify');
    expect(withUserFlags('dmr copy --resume', flags)).toBe('dmr copy --resume');
    expect(withUserFlags('dmr: cannot connect', flags)).toBe('dmr: cannot connect');
  });

  it('quotes values for the shell', () => {
    expect(shellWord('sql')).toBe('sql');
    expect(shellWord('my tasks')).toBe("'my tasks'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(withUserFlags('dmr status', { url: 'sqlite:/tmp/a b.db' })).toBe("dmr status --url 'sqlite:/tmp/a b.db'");
  });
});
