import type { LogLevel } from './config/BrokerConfig.js';

const order: { [level in LogLevel]: number } = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogFields = { readonly [name: string]: string | number | boolean | undefined };

/**
 * One line per event on stderr: `time level event key=value ...` (values with spaces quoted).
 * Quiet by default (warn). Never given secrets: callers log token names, not tokens.
 */
export class Logger {
  constructor(
    private readonly level: LogLevel,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  enabled(level: LogLevel): boolean {
    return order[level] <= order[this.level];
  }

  error(event: string, fields: LogFields = {}): void {
    this.log('error', event, fields);
  }

  warn(event: string, fields: LogFields = {}): void {
    this.log('warn', event, fields);
  }

  info(event: string, fields: LogFields = {}): void {
    this.log('info', event, fields);
  }

  debug(event: string, fields: LogFields = {}): void {
    this.log('debug', event, fields);
  }

  private log(level: LogLevel, event: string, fields: LogFields): void {
    if (!this.enabled(level)) return;
    let line = `${new Date().toISOString()} ${level} ${event}`;
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const text = String(value);
      line += ` ${name}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`;
    }
    this.write(line);
  }
}
