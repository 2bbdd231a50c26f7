// `npm run bench`: every benchmark in sequence on one PostgreSQL (embedded in a temp folder unless
// BENCH_DATABASE_URL / BENCH_PG_DIR), then one summary of every target met or missed.
//   npm run bench                 full sizes (1M tickets, 5,000 mails) — about 15 minutes on 2 cores
//   npm run bench -- --quick      smoke run (10k/100k tickets, 500 mails) — a few minutes
//   npm run bench -- --only submit,list
import { attachmentsBench } from './attachments.js';
import { coldStartBench } from './cold-start.js';
import { emailBench } from './email.js';
import { exportBench } from './export.js';
import { inboundBench } from './inbound.js';
import { argValue, log, runBench, type BenchFn } from './lib/harness.js';
import { startBenchPostgres } from './lib/postgres.js';
import { machineInfo, printTable, printTargets, writeResult, type Target } from './lib/report.js';
import { ensureBuild } from './lib/server.js';
import { listBench } from './list.js';
import { panelWeightBench } from './panel-weight.js';
import { submitBench } from './submit.js';
import { threadBench } from './thread.js';
import { widgetBench } from './widget.js';

const BENCHES: Array<[string, BenchFn]> = [
  ['cold-start', coldStartBench],
  ['submit', submitBench],
  ['email', emailBench],
  ['inbound', inboundBench],
  ['list', listBench],
  ['export', exportBench],
  ['panel-weight', panelWeightBench],
  ['thread', threadBench],
  ['widget', widgetBench],
  ['attachments', attachmentsBench],
];

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = argValue(args, 'only')?.split(',');
  const selected = BENCHES.filter(([name]) => !only || only.includes(name));
  if (!selected.length) throw new Error(`--only must name some of: ${BENCHES.map(([n]) => n).join(', ')}`);
  ensureBuild(log);
  const pg = await startBenchPostgres(log);
  const started = new Date().toISOString();
  const targets: Target[] = [];
  const failures: string[] = [];
  try {
    for (const [name, fn] of selected) {
      try {
        const result = await runBench(name, fn, { pg, quick, args, log });
        targets.push(...result.targets);
      } catch (err) {
        // One broken benchmark must not hide the others' figures.
        console.error(`benchmark ${name} failed:`, err);
        failures.push(name);
      }
    }
  } finally {
    await pg.stop().catch((e) => console.error('stopping PostgreSQL failed', e));
  }
  const machine = machineInfo(pg.version);
  console.log('\n================ SUMMARY ================');
  printTable(
    'Machine',
    ['cpus', 'cpu', 'memory', 'node', 'postgres', 'commit'],
    [[machine.cpus, machine.cpuModel, `${machine.memoryGb} GB`, machine.node, machine.postgres, machine.commit]],
  );
  printTargets(targets);
  const missed = targets.filter((t) => !t.met).length;
  console.log(
    `\n${targets.length - missed} of ${targets.length} targets met, ${missed} missed` +
      (failures.length ? `; benchmarks that failed to run: ${failures.join(', ')}` : ''),
  );
  await writeResult({
    name: 'summary',
    startedAt: started,
    finishedAt: new Date().toISOString(),
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    machine,
    params: { quick, only: only ?? null },
    measurements: { failures },
    targets,
  });
  // Missed targets are findings, not errors; a benchmark that could not run is an error.
  process.exit(failures.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
