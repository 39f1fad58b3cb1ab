/** A label set: name → value. */
export type Labels = { readonly [name: string]: string };

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One line of a family: `name{labels} value`, where `name` is the family's name plus `suffix`. */
export interface Sample {
  /** `_bucket`, `_sum`, `_count` for histograms; nothing otherwise. */
  readonly suffix?: '_bucket' | '_sum' | '_count';
  readonly labels?: Labels;
  readonly value: number;
}

/** A metric family: what one HELP and one TYPE line describe. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/**
 * Render families in the Prometheus text exposition format (version 0.0.4): for each family a
 * `# HELP` line, a `# TYPE` line and its samples. Families without samples are left out (a
 * HELP/TYPE pair with nothing under it says nothing).
 * @example
 * renderPrometheus([{ name: 'odlog_connections', help: 'Open client connections', type: 'gauge', samples: [{ value: 3 }] }]);
 * // '# HELP odlog_connections Open client connections\n# TYPE odlog_connections gauge\nodlog_connections 3\n'
 */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  let text = '';
  for (const family of families) {
    if (family.samples.length === 0) continue;
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) text += `${family.name}${sample.suffix ?? ''}${labelText(sample.labels)} ${numberText(sample.value)}\n`;
  }
  return text;
}

/** The content type a scraper expects for this format. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
