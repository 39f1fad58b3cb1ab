import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { expect } from 'chai';
import { messages, publishedSchemas, pushes, schemaFileText } from '../../../src/protocol/catalogue.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { protocolVersions } from '../../../src/protocol/ProtocolVersion.js';
import { schemaDir } from './protocolTestKit.js';

/**
 * The schema constants in src/protocol are the one definition of every body; the `.avsc` files in
 * src/protocol/schemas/ are generated from them (`npm run schemas`) for clients in other languages.
 */
describe('published schemas (src/protocol/schemas/*.avsc)', () => {
  const published = publishedSchemas();

  for (const p of published) {
    it(`${p.file}.avsc is exactly what its constant generates`, () => {
      const onDisk = readFileSync(join(schemaDir, `${p.file}.avsc`), 'utf8');
      expect(onDisk, `src/protocol/schemas/${p.file}.avsc differs from its constant: run \`npm run schemas\` and commit the result`).to.equal(schemaFileText(p));
    });
  }

  it('has no .avsc file that no constant generates', () => {
    const files = readdirSync(schemaDir).filter((f) => f.endsWith('.avsc')).sort();
    expect(files).to.deep.equal(published.map((p) => `${p.file}.avsc`).sort());
  });

  it('every published schema is valid Avro that avsc compiles', () => {
    for (const p of published) expect(() => avro.Type.forSchema(p.schema as avro.Schema), p.file).not.to.throw();
  });

  it('defines every message type once, with a body in every protocol version', () => {
    const types = [...messages, ...pushes].map((m) => m.type).sort((a, b) => a - b);
    const numbered = Object.values(MessageType).sort((a, b) => a - b);
    expect(types).to.deep.equal(numbered);
    for (const m of messages) for (const v of protocolVersions) expect(m.request.at(v).name, `${m.name} v${v}`).to.be.a('string');
  });
});
