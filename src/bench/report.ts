import type { BenchResult } from './run-bench';

/** The targets issue 8 sets for this 2-core machine. */
export const TARGETS = { fps: 30, decisionP95Ms: 300, peakRssMb: 300 };

export function verdicts(r: BenchResult): { fps: boolean; latency: boolean; rss: boolean } {
  return { fps: r.fps >= TARGETS.fps, latency: r.decisionLatencyMs.p95 <= TARGETS.decisionP95Ms, rss: r.peakRssMb <= TARGETS.peakRssMb };
}

const ok = (b: boolean) => (b ? 'ok' : 'MISSED');

/** The human report of one run. */
export function formatRun(r: BenchResult): string {
  const v = verdicts(r);
  const stageRows = Object.entries(r.stages).map(([name, s]) => `  ${name.padEnd(20)} ${s.p50.toFixed(2).padStart(8)} ${s.p95.toFixed(2).padStart(8)}`);
  const faces = Object.entries(r.facesPerFrame).sort().map(([k, n]) => `${k}: ${n}`).join(', ');
  return [
    `model ${r.model} (${r.decoder}), provider ${r.provider}, ${r.threads} thread(s), input ${r.size}`,
    `${r.frames} frames in ${r.seconds} s (faces per frame ${faces}); host ${r.host.cpus} CPUs, load ${r.host.loadavg1} at the end`,
    '',
    `end-to-end           ${r.fps.toFixed(1)} FPS (target >= ${TARGETS.fps}: ${ok(v.fps)})`,
    `decision latency     p50 ${r.decisionLatencyMs.p50} ms, p95 ${r.decisionLatencyMs.p95} ms on the sequence clock, ${r.decisionLatencyMs.decided}/${r.decisionLatencyMs.people} people decided (target p95 <= ${TARGETS.decisionP95Ms}: ${ok(v.latency)})`,
    `  incl. compute      p50 ${r.decisionLatencyLiveMs.p50} ms, p95 ${r.decisionLatencyLiveMs.p95} ms (what a live camera adds)`,
    `  from a 20 px face  p50 ${r.decisionLatencyFromFaceMs.p50} ms, p95 ${r.decisionLatencyFromFaceMs.p95} ms (people approach from afar: their faces start under the detector's 20 px)`,
    `peak RSS             ${r.peakRssMb} MB (target <= ${TARGETS.peakRssMb}: ${ok(v.rss)})`,
    '',
    `  stage (ms/frame)          p50      p95`,
    ...stageRows,
  ].join('\n');
}

/** The comparison matrix, one row per mode. */
export function formatCompare(rows: { mode: string; result: BenchResult | { error: string } }[]): string {
  const head = `${'mode'.padEnd(46)} ${'FPS'.padStart(6)} ${'frame p50/p95'.padStart(15)} ${'net p50'.padStart(8)} ${'decide p50/p95'.padStart(15)} ${'decided'.padStart(7)} ${'RSS MB'.padStart(7)}`;
  const lines = rows.map(({ mode, result: r }) => {
    if ('error' in r) return `${mode.padEnd(46)} not available: ${r.error}`;
    const f = r.stages['frame total'];
    const net = ['face net', 'classifier net', 'detectnet'].reduce((a, k) => a + (r.stages[k]?.p50 ?? 0), 0);
    const decide = r.decisionLatencyMs.decided ? `${r.decisionLatencyMs.p50}/${r.decisionLatencyMs.p95}` : 'none';
    return `${mode.padEnd(46)} ${r.fps.toFixed(1).padStart(6)} ${`${f?.p50 ?? '-'}/${f?.p95 ?? '-'}`.padStart(15)} ${net.toFixed(2).padStart(8)} ${decide.padStart(15)} ${`${r.decisionLatencyMs.decided}/${r.decisionLatencyMs.people}`.padStart(7)} ${r.peakRssMb.toFixed(0).padStart(7)}`;
  });
  return [head, ...lines].join('\n');
}
