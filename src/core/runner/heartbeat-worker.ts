import { parentPort, workerData } from 'node:worker_threads';
import type { HeartbeatJob } from './heartbeat-messages.js';
import { runHeartbeatLoop, type HeartbeatPort } from './heartbeat-loop.js';

/**
 * The heartbeat on a thread of its own, for runs with module tasks: a CPU-bound .js task that
 * blocks the runner's event loop cannot stop it. It imports nothing of dmr at run time but the
 * loop and, through it, the engine's heartbeat client and that one's driver.
 */
if (parentPort) runHeartbeatLoop(workerData as HeartbeatJob, parentPort as unknown as HeartbeatPort);
