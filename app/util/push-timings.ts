// Where a push spends its time, for the bench and for finding slow steps on a shop's own server:
// with ERP_BRIDGE_PUSH_TIMINGS=1 each step of a stock or price push is written to stderr as
// milliseconds since the push began, with the process's memory at that moment (resident, V8 heap,
// and buffers outside it), to find where a big push's peak comes from. Off by default (and then
// it costs one check per step).
const started = new Map<number, number>();

export function pushTiming(run: number, step: string): void {
  if (process.env.ERP_BRIDGE_PUSH_TIMINGS !== '1') return;
  const now = performance.now();
  if (step === 'start') started.set(run, now);
  const t0 = started.get(run) ?? now;
  const m = process.memoryUsage();
  const mb = (n: number) => (n / 1048576).toFixed(0);
  process.stderr.write(`[push ${run}] ${step} ${(now - t0).toFixed(0)} ms (rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, buffers ${mb(m.external)} MB)\n`);
  if (step === 'journaled') started.delete(run);
}
