import type { DmrCommand } from '../command.js';
import { checkCommand } from './check-command.js';
import { copyCommand } from './copy-command.js';
import { doctorCommand } from './doctor-command.js';
import { initCommand } from './init-command.js';
import { migrateCommand } from './migrate-command.js';
import { resetCommand } from './reset-command.js';
import { restartCommand } from './restart-command.js';
import { resumeCommand } from './resume-command.js';
import { serveCommand } from './serve-command.js';
import { statusCommand } from './status-command.js';
import { stopCommand } from './stop-command.js';
import { verifyCommand } from './verify-command.js';

/** Every command, in the order `dmr --help` lists them. */
export const commands = [
  migrateCommand,
  statusCommand,
  doctorCommand,
  stopCommand,
  resumeCommand,
  restartCommand,
  resetCommand,
  verifyCommand,
  copyCommand,
  serveCommand,
  initCommand,
  checkCommand,
] as unknown as readonly DmrCommand<object>[];
