import type { DmrCommand } from '../command.js';
import { initCommand } from './init-command.js';
import { migrateCommand } from './migrate-command.js';
import { statusCommand } from './status-command.js';

/** Every command, in the order `dmr --help` lists them. */
export const commands = [migrateCommand, statusCommand, initCommand] as unknown as readonly DmrCommand<object>[];
