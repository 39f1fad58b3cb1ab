import { statsToPrometheus } from '../broker/metrics/StatsMetrics.js';
import type { StatsResponse } from '../protocol/messages/stats.js';

/**
 * `odlog stats --format prometheus`: the Stats response in the text the broker serves on
 * `GET /metrics`, with the same names, HELP and TYPE lines for every figure Stats carries (one
 * renderer for both, so the two cannot drift apart). The per-second rates Stats also carries are
 * left out, as the endpoint leaves them to PromQL's `rate()`.
 * @example
 * process.stdout.write(toPrometheus(await client.stats()));
 */
export function toPrometheus(stats: StatsResponse): string {
  return statsToPrometheus(stats);
}
