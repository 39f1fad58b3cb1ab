import { readFileSync, writeFileSync } from 'node:fs';
import { benchHelp, parseBenchOptions, type BenchOptions, type TargetKind } from './BenchOptions.js';
import { readableResultSchemas, type BenchResult } from './BenchResult.js';
import { runWorkload } from './BenchRunner.js';
import { formatCeiling, formatComparison, formatResult } from './ResultTable.js';
import { formatRoundMedians } from './RoundMedians.js';
import { discardTarget, odlogTarget } from './targets/OdlogTarget.js';
import type { TargetLauncher } from './targets/Target.js';

/** Every launcher the harness knows, by target kind (peers are loaded lazily). */
async function launcherFor(kind: TargetKind): Promise<TargetLauncher> {
  switch (kind) {
    case 'odlog':
      return odlogTarget;
    case 'discard':
      return discardTarget;
    case 'redis':
      return (await import('./targets/RedisTarget.js')).redisTarget;
    case 'nats':
      return (await import('./targets/NatsTarget.js')).natsTarget;
    case 'kafka':
      return (await import('./targets/KafkaTarget.js')).kafkaTarget;
  }
}

function readResult(file: string): BenchResult {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  if (!readableResultSchemas.includes(parsed.schema)) throw new Error(`${file} is not an odlog bench result (schema ${JSON.stringify(parsed.schema)}; this harness reads ${readableResultSchemas.join(', ')})`);
  return parsed;
}

async function writeOutputs(options: BenchOptions, results: BenchResult[]): Promise<void> {
  if (options.out !== undefined) writeFileSync(options.out, JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
  if (options.html !== undefined) {
    const { renderHtmlReport } = await import('./HtmlReport.js');
    writeFileSync(options.html, renderHtmlReport(results));
  }
}

export { benchHelp };

/**
 * `odlog bench`: see `benchHelp`. Returns the process exit code. This module is the harness's
 * entry point, exported by the package as `odlog/bench`: the odlog command dispatches here, and
 * nothing in the product imports the harness otherwise.
 */
export async function runBenchCommand(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  if (options.help) {
    console.log(benchHelp());
    return 0;
  }
  if (options.compare !== undefined) {
    console.log(formatComparison(readResult(options.compare[0]), readResult(options.compare[1])));
    return 0;
  }
  if (options.suite === 'scale') {
    const { runScaleSuite } = await import('./ScaleSuite.js');
    return runScaleSuite(options);
  }
  // With --peers the discard server runs first: the generator's ceiling for the same workload, in
  // the same run (it serves no subscriptions, so it runs the producers only).
  const kinds: TargetKind[] = options.peers ? ['discard', 'odlog', 'redis', 'nats'] : [options.workload.target];
  const launchers: [TargetKind, TargetLauncher][] = [];
  for (const kind of kinds) {
    let launcher: TargetLauncher;
    try {
      launcher = await launcherFor(kind);
    } catch (error) {
      console.log(`skipped ${kind}: ${(error as Error).message}`);
      continue;
    }
    const unavailable = launcher.unavailable();
    if (unavailable !== undefined) console.log(`skipped ${kind}: ${unavailable}`);
    else launchers.push([kind, launcher]);
  }
  const rounds: BenchResult[][] = [];
  for (let round = 1; round <= options.repeat; round++) {
    if (options.repeat > 1) console.log(`\n=== round ${round} of ${options.repeat} ===`);
    const results: BenchResult[] = [];
    for (const [kind, launcher] of launchers) {
      const workload = { ...options.workload, target: kind, consumers: kind === 'discard' ? 0 : options.workload.consumers };
      const result = await runWorkload(workload, launcher, { broker: options.broker, quiet: options.quiet });
      console.log(formatResult(result));
      results.push(result);
    }
    if (options.peers) printPeerRatios(results);
    rounds.push(results);
  }
  if (options.repeat > 1) console.log('\n' + formatRoundMedians(rounds));
  await writeOutputs(options, rounds.flat());
  return 0;
}

/** odlog against each peer, and every system against the generator's ceiling, in one round. */
function printPeerRatios(results: readonly BenchResult[]): void {
  if (results.length < 2) return;
  const odlog = results.find((r) => r.target.kind === 'odlog');
  for (const peer of results.filter((r) => r.target.kind !== 'odlog' && r.target.kind !== 'discard')) {
    if (odlog !== undefined) console.log('\n' + formatComparison(peer, odlog));
  }
  const ceiling = formatCeiling(results);
  if (ceiling !== undefined) console.log('\n' + ceiling);
}
