import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/** The repository's `clients/` folder, from this compiled file (dist/test/unit/clients). */
const clientsDir = fileURLToPath(new URL('../../../../clients/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file that stay inside `clients/` (type-only imports included: they tie modules together too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts'))).filter((path) => path.startsWith(clientsDir));
}

/** Every cycle found by a depth-first walk, as a path of file names. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}

describe('unit: the client has no import cycles', () => {
  it('no module under clients/ imports, directly or through others, a module that imports it', () => {
    const files = sourceFiles(clientsDir);
    expect(files.length).to.be.greaterThan(5);
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const named = cycles(graph).map((cycle) => cycle.map((f) => relative(clientsDir, f)).join(' -> '));
    expect(named).to.deep.equal([]);
  });
});
