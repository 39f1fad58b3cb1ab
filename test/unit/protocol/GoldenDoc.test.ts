import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { goldenFrames } from './goldenFrames.js';
import { hex, readFixture, repoRoot } from './protocolTestKit.js';

/**
 * The hex of the code block that follows the line naming `name` (**`name`**) in the document: on
 * each line, the part before a gap of three spaces or more, when it is hex groups (and `|`
 * separators) only; notes below or beside the bytes are left out.
 */
function documentedHex(doc: string, name: string): string | undefined {
  const label = doc.indexOf(`**\`${name}\`**`);
  if (label < 0) return undefined;
  const open = doc.indexOf('```', label);
  const close = doc.indexOf('```', open + 3);
  if (open < 0 || close < 0) return undefined;
  let out = '';
  for (const line of doc.slice(open + 3, close).split('\n')) {
    const tokens = line.trim().split(/ {3,}/)[0].split(/\s+/).filter((t) => t !== '' && t !== '|');
    if (tokens.length > 0 && tokens.every((t) => /^[0-9a-f]+$/.test(t))) out += tokens.join('');
  }
  return out;
}

describe('docs/protocol.md shows every golden frame', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'protocol.md'), 'utf8');
  for (const g of goldenFrames) {
    it(`${g.name}: the document's bytes are the fixture's`, () => {
      const shown = documentedHex(doc, g.name);
      expect(shown, `docs/protocol.md has no **\`${g.name}\`** block`).to.be.a('string');
      expect(shown, `docs/protocol.md shows other bytes for ${g.name}`).to.equal(hex(readFixture(g.name)));
    });
  }
});
