import type { CopyDialect } from '../../adapters/copy-dialect.js';
import type { Database } from '../database.js';
import type { CopyLedger } from './copy-ledger.js';
import type { CopyOptions } from './copy-types.js';

/** The open sides of a copy run and its ledger, shared by every table. */
export interface CopyContext {
  readonly options: CopyOptions;
  readonly source: { readonly dialect: CopyDialect; readonly database: Database; readonly schema?: string };
  readonly target: { readonly dialect: CopyDialect; readonly database: Database; readonly schema?: string };
  readonly ledger: CopyLedger;
}
