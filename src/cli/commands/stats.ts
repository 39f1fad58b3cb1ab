import { oneOf, switchFlag, valueFlag } from '../../args/Flag.js';
import { UsageError } from '../../args/UsageError.js';
import { defineCommand } from '../Command.js';
import { connectClient, connectionFlags } from '../connect.js';
import { Output } from '../output/Output.js';
import { toPrometheus } from '../PrometheusFormat.js';
import { statsText } from '../stats/StatsText.js';
import { StatsWatch } from '../stats/StatsWatch.js';

const flags = {
  format: valueFlag('format', 'text|json|prometheus', 'text: readable figures with units; json: the Stats response; prometheus: exposition text', oneOf(['text', 'json', 'prometheus'] as const)),
  watch: switchFlag('watch', 'sample every second until Ctrl-C: one row per second (text, as redis-cli --stat) or one JSON object per line'),
  ...connectionFlags,
};

const sampleEveryMs = 1000;

/** `odlog stats`: the broker's figures, once or every second. */
export const statsCommand = defineCommand({
  name: 'stats',
  usage: '[--format text|json|prometheus] [--watch] [options]',
  summary: "Print the broker's figures and cursor lags, once or every second (--watch) (admin).",
  description: 'Rates, totals, write queue, storage, memory, and how far each named cursor is behind. With auth on, it needs an admin token.',
  flags,
  sections: [{ title: 'Connection', flags: connectionFlags }],
  positionalsMax: 0,
  examples: ['odlog stats', 'odlog stats --watch', 'odlog stats --format prometheus'],
  async run({ flags: f }) {
    const format = f.format ?? 'text';
    if (f.watch === true && format === 'prometheus') throw new UsageError('--watch prints text or json; for Prometheus, scrape `odlog stats --format prometheus` instead');
    const out = new Output(process.stdout);
    const client = await connectClient(f);
    try {
      if (f.watch !== true) {
        const s = await client.stats();
        out.write(format === 'json' ? JSON.stringify(s) + '\n' : format === 'prometheus' ? toPrometheus(s) : statsText(s));
        await out.end();
        return 0;
      }
      let stopped = false;
      let pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
      const stop = (): void => {
        stopped = true;
        if (pause !== undefined) {
          clearTimeout(pause.timer);
          pause.resolve();
        }
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const watch = new StatsWatch();
      for (let next = Date.now(); !stopped; ) {
        const s = await client.stats();
        const now = Date.now();
        const wait = out.write(format === 'json' ? JSON.stringify({ atMs: now, ...s }) + '\n' : watch.row(s, now));
        if (wait !== undefined) await wait;
        await out.flush();
        // Samples stay on the second (a slow answer shortens the next pause rather than shifting them all).
        next = Math.max(next + sampleEveryMs, now);
        if (stopped) break;
        await new Promise<void>((resolve) => (pause = { timer: setTimeout(resolve, next - now), resolve }));
        pause = undefined;
      }
      await out.end();
      return 0;
    } finally {
      await client.close();
    }
  },
});
