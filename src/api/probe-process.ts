import os from 'node:os';
import type { ProcessProbe } from '../core/doctor/evidence.js';

/** Signal 0 tells whether a process exists on this host; another host's cannot be checked. */
export const probeProcess: ProcessProbe = (host, pid) => {
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
