// Ship the Avro schemas beside the compiled protocol code (tsc copies only .ts output).
import { cpSync, mkdirSync } from 'node:fs';
mkdirSync('dist/src/protocol/schemas', { recursive: true });
cpSync('src/protocol/schemas', 'dist/src/protocol/schemas', { recursive: true });
