// Where a push spends its time, for the bench and for finding slow steps on a shop's own server:
// with ERP_BRIDGE_PUSH_TIMINGS=1 each step of a stock or price push is written to stderr as
// milliseconds since the push began, with the server's own CPU time since then (user + system,
// every thread: what the process did, against waiting for the database or the client), and the
// process's memory at that moment (resident, V8 heap, and buffers outside it), to find where a big
// push's peak comes from. Off by default (and then it costs one check per step).
const started = new Map<number, { wall: number; cpu: number }>();
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

export function pushTiming(run: number, step: string): void {
  if (process.env.ERP_BRIDGE_PUSH_TIMINGS !== '1') return;
  const now = performance.now();
  const cpu = cpuMs();
  if (step === 'start') started.set(run, { wall: now, cpu });
  const t0 = started.get(run) ?? { wall: now, cpu };
  const m = process.memoryUsage();
  const mb = (n: number) => (n / 1048576).toFixed(0);
  process.stderr.write(`[push ${run}] ${step} ${(now - t0.wall).toFixed(0)} ms, cpu ${(cpu - t0.cpu).toFixed(0)} ms (rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, buffers ${mb(m.external)} MB)\n`);
  if (step === 'journaled') started.delete(run);
}
