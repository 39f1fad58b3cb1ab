import { expect } from 'chai';
import { integer, listFlag, nonNegativeInteger, oneOf, switchFlag, text, valueFlag } from '../../../src/args/Flag.js';
import { parseArgs } from '../../../src/args/parseArgs.js';
import { renderHelp } from '../../../src/args/renderHelp.js';
import { UsageError } from '../../../src/args/UsageError.js';

const flags = {
  from: valueFlag('from', 'SEQ', 'start', integer),
  limit: valueFlag('limit', 'N', 'at most N', nonNegativeInteger, { example: '--limit 10' }),
  keyDelimiter: valueFlag('key-delimiter', 'DELIM', 'split lines', text, { short: 'K' }),
  format: valueFlag('format', 'text|json', 'output', oneOf(['text', 'json'] as const)),
  quiet: switchFlag('quiet', 'less output', { short: 'q' }),
};
const parse = (argv: string[]) => parseArgs(argv, flags, { command: 'odlog test' });
const refusal = (argv: string[]): string => {
  try {
    parse(argv);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('parseArgs', () => {
  it('collects every value of a repeatable flag, in order, long and short forms alike; undefined when not given', () => {
    const headers = { header: listFlag('header', 'NAME=VALUE', 'a header', text, { short: 'H' }), limit: flags.limit };
    const run = (argv: string[]) => parseArgs(argv, headers, { command: 'odlog test' }).flags;
    expect(run(['-H', 'a=1', '--header', 'b=2', '-Hc=3', '--header=d'])).to.deep.equal({ header: ['a=1', 'b=2', 'c=3', 'd'] });
    expect(run(['--limit', '1'])).to.deep.equal({ limit: 1 });
    // A flag that is not repeatable keeps its last value.
    expect(run(['--limit', '1', '--limit', '2'])).to.deep.equal({ limit: 2 });
  });

  it('reads --name value, --name=value, switches and positionals in any order', () => {
    const { flags: f, positionals } = parse(['a', '--limit', '3', 'b', '--format=json', '--quiet']);
    expect(f).to.deep.equal({ limit: 3, format: 'json', quiet: true });
    expect(positionals).to.deep.equal(['a', 'b']);
  });

  it('takes a value beginning with one dash: negative numbers and "-"', () => {
    expect(parse(['--from', '-5']).flags.from).to.equal(-5);
    expect(parse(['--key-delimiter', '-']).flags.keyDelimiter).to.equal('-');
    expect(parse(['-5']).positionals).to.deep.equal(['-5']);
  });

  it('reads short flags with the value attached (kcat -K:) or apart, and -- ends the flags', () => {
    expect(parse(['-K:']).flags.keyDelimiter).to.equal(':');
    expect(parse(['-K', '::']).flags.keyDelimiter).to.equal('::');
    expect(parse(['-q', '--', '--limit', '-q']).positionals).to.deep.equal(['--limit', '-q']);
  });

  it('refuses unknown flags, suggesting a near name', () => {
    expect(refusal(['--limt', '2'])).to.equal('unknown option --limt (did you mean --limit?); see odlog test --help');
    expect(refusal(['--zzz'])).to.equal('unknown option --zzz; see odlog test --help');
    expect(refusal(['-x'])).to.equal('unknown option -x; see odlog test --help');
  });

  it('refuses a missing value, a value for a switch and values its reader refuses', () => {
    expect(refusal(['--limit'])).to.equal('--limit needs a value');
    expect(refusal(['--limit', '--quiet'])).to.equal('--limit needs a value');
    expect(refusal(['--quiet=yes'])).to.equal('--quiet takes no value, got "yes"');
    expect(refusal(['--limit', '-1'])).to.equal('--limit must be a non-negative integer, got "-1"');
    expect(refusal(['--format', 'xml'])).to.equal('--format must be one of text, json, got "xml"');
    expect(() => parseArgs(['a', 'b'], flags, { command: 'odlog test', positionalsMax: 1 })).to.throw(UsageError, 'unexpected argument "b"; see odlog test --help');
  });

  it('renders help from the same declarations', () => {
    const help = renderHelp({ usage: 'odlog test [options]', summary: 'A test.', sections: [{ title: 'Options', flags: Object.values(flags) }], examples: ['odlog test --limit 1'] });
    expect(help).to.contain('      --limit N');
    expect(help).to.contain('at most N (e.g. --limit 10)');
    expect(help).to.contain('  -K, --key-delimiter DELIM');
    expect(help).to.contain('Examples:\n  odlog test --limit 1');
  });
});
