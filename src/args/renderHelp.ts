import type { Flag } from './Flag.js';

/** What `COMMAND --help` prints, built from the same flag declarations the parser reads. */
export interface CommandHelp {
  /** The usage line without "usage: ", e.g. `odlog scan KEY... | --prefix P [options]`. */
  readonly usage: string;
  /** One or two sentences on what the command does. */
  readonly summary: string;
  /** Flags, grouped under titles ("Options", "Connection"). */
  readonly sections: readonly { readonly title: string; readonly flags: readonly Flag<unknown>[] }[];
  readonly examples: readonly string[];
  /** Paragraphs after the examples (exit codes, environment). */
  readonly notes?: readonly string[];
}

/**
 * Help text: usage, summary, each flag with its value, description and example, then examples.
 *
 * @example
 * console.log(renderHelp({ usage: 'odlog count KEY [options]', summary: 'Count a key’s records.', sections: [{ title: 'Options', flags: [from] }], examples: ['odlog count orders'] }));
 */
export function renderHelp(help: CommandHelp): string {
  const lines = [`usage: ${help.usage}`, '', ...help.summary.split('\n').flatMap((paragraph) => wrap(paragraph, lineWidth))];
  const heads = help.sections.flatMap((s) => s.flags.map(flagHead));
  const width = Math.min(34, Math.max(0, ...heads.map((h) => h.length)) + 2);
  for (const section of help.sections) {
    if (section.flags.length === 0) continue;
    lines.push('', `${section.title}:`);
    for (const flag of section.flags) {
      const head = flagHead(flag);
      const text = flag.example !== undefined ? `${flag.description} (e.g. ${flag.example})` : flag.description;
      const wrapped = wrap(text, lineWidth - width - 2);
      if (head.length + 2 > width) lines.push(`  ${head}`);
      else lines.push(`  ${head.padEnd(width)}${wrapped.shift() ?? ''}`);
      for (const rest of wrapped) lines.push(`  ${''.padEnd(width)}${rest}`);
    }
  }
  if (help.examples.length > 0) lines.push('', 'Examples:', ...help.examples.map((e) => `  ${e}`));
  for (const note of help.notes ?? []) lines.push('', note);
  return lines.join('\n');
}

/** Help lines are kept to this many columns. */
const lineWidth = 100;

/** Words of `text` in lines of at most `width` columns (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) out.push(line);
  return out;
}

function flagHead(flag: Flag<unknown>): string {
  const names = flag.short !== undefined ? `-${flag.short}, --${flag.name}` : `    --${flag.name}`;
  return flag.valueName !== undefined ? `${names} ${flag.valueName}` : names;
}
