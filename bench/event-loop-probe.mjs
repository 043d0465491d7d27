// Loaded with `node --import` into the dmr process by bench/large-task.ts: at exit it prints the
// longest event-loop delay (perf_hooks monitorEventLoopDelay) from the first database connection
// on (module loading at start-up is left out: no heartbeat runs yet), and the peak RSS, on stderr.
import net from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
let connected = false;
let connectedAt = 0;
// pg opens its sockets with new net.Socket().connect(), which publishes no diagnostics channel.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  if (!connected) {
    connected = true;
    connectedAt = performance.now();
    histogram.reset();
  }
  return connect.apply(this, args);
};
// The longest gap between 10 ms ticks and the CPU time the process used in it: a gap with little
// CPU time is the process waiting for a core (a loaded machine), not dmr blocking its loop.
let last = performance.now();
let lastCpu = process.cpuUsage();
let worst = { wallMs: 0, cpuMs: 0 };
setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  const wallMs = now - last;
  // Only gaps that began after the first connection: the one spanning start-up ends after it.
  if (connected && last >= connectedAt && wallMs > worst.wallMs) {
    worst = { wallMs, cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 };
  }
  last = now;
  lastCpu = cpu;
}, 10).unref();

process.on('exit', () => {
  histogram.disable();
  const figures = {
    maxDelayMs: histogram.max / 1e6,
    p99DelayMs: histogram.percentile(99) / 1e6,
    maxRssKb: process.resourceUsage().maxRSS,
    worstGap: worst,
    connected,
  };
  process.stderr.write(`\nDMR_BENCH_PROBE ${JSON.stringify(figures)}\n`);
});
