import { readFileSync } from 'node:fs';
import type { Durability, KeyRetentionRule, ReadVisibility } from '../../storage/index.js';
import type { TokenGrant } from '../auth/TokenGrant.js';
import { switchFlag, text, valueFlag, type Flag, type FlagSet } from '../../args/Flag.js';
import { parseArgs } from '../../args/parseArgs.js';
import { UsageError } from '../../args/UsageError.js';
import { brokerOptions, envOf, flagOf, type OptionSpec } from './ConfigOptions.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The broker's settings, after flags, environment and JSON file are merged (in that precedence). */
export interface BrokerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly durability: Durability;
  readonly readVisibility: ReadVisibility;
  readonly sealIntervalMs?: number;
  readonly sealBytes?: number;
  readonly retentionMs?: number;
  readonly retentionBytes?: number;
  readonly retentionCheckIntervalMs: number;
  readonly authToken?: string;
  /** Per-token permissions (JSON config only). */
  readonly tokens: readonly TokenGrant[];
  /** Per-key retention by key prefix (JSON config only). */
  readonly keyRetention: readonly KeyRetentionRule[];
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logLevel: LogLevel;
  /** Port of the Prometheus endpoint (`GET /metrics`); none when undefined. */
  readonly metricsPort?: number;
  /** Address of the Prometheus endpoint (default: `host`). */
  readonly metricsHost?: string;
  readonly frameBytesMax: number;
  readonly connectionsMax: number;
  readonly inFlightRequestsMax: number;
  readonly outputBufferBytesMax: number;
  readonly outputStallTimeoutMs: number;
  readonly subscriptionsPerConnectionMax: number;
  readonly idleTimeoutMs: number;
  readonly partialFrameTimeoutMs: number;
  readonly helloTimeoutMs: number;
  readonly keyBytesMax: number;
  readonly valueBytesMax: number;
  readonly batchRecordsMax: number;
  readonly batchBytesMax: number;
  readonly writeQueueBytesMax: number;
  readonly memtableBytesMax: number;
  readonly memtableKeysMax: number;
  /** Port of the Kafka listener; none when undefined. */
  readonly kafkaPort?: number;
  readonly kafkaAdvertisedHost?: string;
  readonly kafkaAdvertisedPort?: number;
  readonly kafkaTopicsListedMax: number;
}

/** A setting that cannot be used, with the source that gave it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const units: { [suffix: string]: number } = {
  '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4,
};
const durations: { [suffix: string]: number } = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseValue(spec: OptionSpec, raw: unknown, source: string): string | number {
  const where = `${spec.key} (from ${source})`;
  if (spec.kind === 'string') {
    if (typeof raw !== 'string' || raw.length === 0) throw new ConfigError(`${where} must be a non-empty string`);
    return raw;
  }
  if (spec.kind === 'enum') {
    if (typeof raw !== 'string' || !(spec.values ?? []).includes(raw)) throw new ConfigError(`${where} must be one of ${(spec.values ?? []).join(', ')}, got ${String(raw)}`);
    return raw;
  }
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) throw new ConfigError(`${where} must be a non-negative integer, got ${raw}`);
    return raw;
  }
  if (typeof raw !== 'string') throw new ConfigError(`${where} must be a number`);
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  const table = spec.kind === 'bytes' ? units : spec.kind === 'duration' ? durations : { '': 1 };
  const scale = match ? table[match[2].toLowerCase()] : undefined;
  if (!match || scale === undefined) {
    const hint = spec.kind === 'bytes' ? ' (e.g. 65536, 64KiB, 16MiB)' : spec.kind === 'duration' ? ' (e.g. 500, 500ms, 30s, 1h, 7d)' : '';
    throw new ConfigError(`${where} must be a non-negative integer${hint}, got ${JSON.stringify(raw)}`);
  }
  const value = Math.round(Number(match[1]) * scale);
  if (!Number.isSafeInteger(value)) throw new ConfigError(`${where} is too large`);
  return value;
}

/** `odlog serve`'s flags: one per broker option (its text converted later, with its source), plus --config and --help. */
function serveFlags(): FlagSet {
  const flags: { [property: string]: Flag<unknown> } = {
    configFile: valueFlag('config', 'FILE', 'JSON config file', text),
    help: switchFlag('help', 'print the options', { short: 'h' }),
  };
  for (const o of brokerOptions) flags[o.key] = valueFlag(flagOf(o.key).slice(2), o.kind.toUpperCase(), o.help, text);
  return flags;
}

/** Parse `--flag value` / `--flag=value` pairs into option values; unknown flags are errors. */
export function parseFlags(argv: readonly string[]): { values: Map<string, unknown>; configFile?: string; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs(argv, serveFlags(), { command: 'odlog serve', positionalsMax: 0 });
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigError(error.message);
    throw error;
  }
  const values = new Map<string, unknown>();
  for (const o of brokerOptions) if (parsed.flags[o.key] !== undefined) values.set(o.key, parsed.flags[o.key]);
  return { values, configFile: parsed.flags.configFile as string | undefined, help: parsed.flags.help === true };
}

/**
 * Merge flags, environment (`ODLOG_*`) and the JSON file (`--config` or `ODLOG_CONFIG`), in that
 * order of precedence, over the defaults.
 */
export function loadBrokerConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BrokerConfig & { help: boolean } {
  const flags = parseFlags(argv);
  const file = flags.configFile ?? env.ODLOG_CONFIG;
  let json: { [key: string]: unknown } = {};
  if (file !== undefined) {
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as { [key: string]: unknown };
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ConfigError(`config file ${file} must hold a JSON object`);
    const known = new Set([...brokerOptions.map((o) => o.key), 'tokens', 'keyRetention']);
    for (const key of Object.keys(json)) if (!known.has(key)) throw new ConfigError(`config file ${file}: unknown setting ${JSON.stringify(key)}`);
  }
  const out: { [key: string]: unknown } = {};
  for (const spec of brokerOptions) {
    let raw: unknown;
    let source: string;
    if (flags.values.has(spec.key)) [raw, source] = [flags.values.get(spec.key), flagOf(spec.key)];
    else if (env[envOf(spec.key)] !== undefined) [raw, source] = [env[envOf(spec.key)], envOf(spec.key)];
    else if (json[spec.key] !== undefined) [raw, source] = [json[spec.key], file as string];
    else [raw, source] = [spec.default, 'default'];
    if (raw !== undefined) out[spec.key] = parseValue(spec, raw, source);
  }
  out.tokens = parseTokens(json.tokens, file);
  out.keyRetention = parseKeyRetention(json.keyRetention, file);
  out.help = flags.help;
  const config = out as unknown as BrokerConfig & { help: boolean };
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw new ConfigError('tlsCert and tlsKey go together: give both or neither');
  if (config.port > 65535) throw new ConfigError(`port must be 0..65535, got ${config.port}`);
  if (config.kafkaPort !== undefined && config.kafkaPort > 65535) throw new ConfigError(`kafkaPort must be 0..65535, got ${config.kafkaPort}`);
  if (config.kafkaAdvertisedPort !== undefined && (config.kafkaAdvertisedPort < 1 || config.kafkaAdvertisedPort > 65535)) throw new ConfigError(`kafkaAdvertisedPort must be 1..65535, got ${config.kafkaAdvertisedPort}`);
  return config;
}

function parseTokens(raw: unknown, file: string | undefined): TokenGrant[] {
  if (raw === undefined) return [];
  const where = `config file ${file ?? ''}: tokens`;
  if (!Array.isArray(raw)) throw new ConfigError(`${where} must be an array`);
  return raw.map((t: unknown, i) => {
    const entry = t as { [key: string]: unknown };
    if (entry === null || typeof entry !== 'object' || typeof entry.token !== 'string' || entry.token.length < 8) {
      throw new ConfigError(`${where}[${i}] needs a "token" string of at least 8 characters`);
    }
    const prefixes = (name: string): string[] | undefined => {
      const v = entry[name];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((p) => typeof p !== 'string')) throw new ConfigError(`${where}[${i}].${name} must be an array of key prefixes`);
      return v as string[];
    };
    return {
      name: typeof entry.name === 'string' ? entry.name : `token-${i}`,
      token: entry.token,
      append: prefixes('append'),
      read: prefixes('read'),
      admin: entry.admin === true,
    };
  });
}

function parseKeyRetention(raw: unknown, file: string | undefined): KeyRetentionRule[] {
  if (raw === undefined) return [];
  const where = `config file ${file ?? ''}: keyRetention`;
  if (!Array.isArray(raw)) throw new ConfigError(`${where} must be an array of { "prefix", "maxRecords"?, "maxAge"? }`);
  return raw.map((r: unknown, i) => {
    const entry = r as { [key: string]: unknown };
    if (entry === null || typeof entry !== 'object' || typeof entry.prefix !== 'string') throw new ConfigError(`${where}[${i}] needs a "prefix" string`);
    const read = (name: string, kind: 'integer' | 'duration'): number | undefined =>
      entry[name] === undefined ? undefined : (parseValue({ key: name, kind, help: '' }, entry[name], `${where}[${i}]`) as number);
    const maxRecords = read('maxRecords', 'integer');
    const maxAgeMs = read('maxAge', 'duration');
    if (maxRecords === 0 || maxAgeMs === 0) throw new ConfigError(`${where}[${i}]: maxRecords and maxAge must be above 0`);
    if (maxRecords === undefined && maxAgeMs === undefined) throw new ConfigError(`${where}[${i}] needs "maxRecords" or "maxAge"`);
    return { prefix: entry.prefix, maxRecords, maxAgeMs };
  });
}

/** The help text of `odlog serve`. */
export function brokerHelp(): string {
  const lines = [
    'usage: odlog serve [options]',
    '',
    'Options (flag > environment > JSON config file > default):',
    `  ${'--config FILE'.padEnd(36)} JSON config file (env ODLOG_CONFIG); may also hold "tokens" and "keyRetention"`,
  ];
  for (const o of brokerOptions) {
    const flag = `${flagOf(o.key)} ${o.kind === 'enum' ? (o.values ?? []).join('|') : o.kind.toUpperCase()}`;
    const def = o.default !== undefined ? ` [default ${o.default}]` : '';
    lines.push(`  ${flag.padEnd(36)} ${o.help}${def}`);
    lines.push(`  ${''.padEnd(36)} env ${envOf(o.key)}, JSON "${o.key}"`);
  }
  lines.push('', 'JSON "tokens": [{ "name": "tenant-a", "token": "...", "append": ["tenant-a:"], "read": ["tenant-a:"], "admin": false }]');
  lines.push('JSON "keyRetention": [{ "prefix": "session:", "maxRecords": 1000 }, { "prefix": "metrics:", "maxAge": "7d" }]  (per key: at most N entries, or none older)');
  return lines.join('\n');
}
