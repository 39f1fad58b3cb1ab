import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/** The repository root, from this compiled file (dist/test/unit/architecture). */
const root = fileURLToPath(new URL('../../../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file, as repository paths (type-only and dynamic imports included: they tie modules together too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const statics = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]);
  const dynamics = [...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]);
  return [...statics, ...dynamics].map((s) => relative(root, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

/** Bare (package or node:) imports of a file. */
function packagesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^.'][^']*)'/gms)].map((m) => m[1]);
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
      else if (state.get(next) === undefined && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}

const productFiles = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'clients'))].map((f) => relative(root, f));
const benchFiles = sourceFiles(join(root, 'bench')).map((f) => relative(root, f));
const graph = new Map([...productFiles, ...benchFiles].map((f) => [f, importsOf(join(root, f))]));

/** Imports of the files under `from` that land in any of `forbidden`, as "file -> target". */
function crossings(from: string, forbidden: readonly string[]): string[] {
  return [...graph]
    .filter(([file]) => file.startsWith(from))
    .flatMap(([file, targets]) => targets.filter((t) => forbidden.some((f) => t.startsWith(f))).map((t) => `${file} -> ${t}`));
}

describe('unit: architecture (imports run one way)', () => {
  it('no module of the product or the load harness imports, directly or through others, a module that imports it', () => {
    expect(productFiles.length).to.be.greaterThan(100);
    expect(benchFiles.length).to.be.greaterThan(20);
    const named = cycles(graph).map((cycle) => cycle.join(' -> '));
    expect(named).to.deep.equal([]);
  });

  it('protocol knows nothing of storage, the broker, the CLI or the clients', () => {
    expect(crossings('src/protocol/', ['src/storage/', 'src/broker/', 'src/cli/', 'clients/', 'bench/'])).to.deep.equal([]);
  });

  it('storage knows nothing of protocol, sockets, the broker, the CLI or the clients', () => {
    expect(crossings('src/storage/', ['src/protocol/', 'src/broker/', 'src/cli/', 'clients/', 'bench/'])).to.deep.equal([]);
    const sockets = productFiles.filter((f) => f.startsWith('src/storage/')).filter((f) => packagesOf(join(root, f)).some((p) => ['node:net', 'node:tls', 'node:http'].includes(p)));
    expect(sockets).to.deep.equal([]);
  });

  it('clients depend only on the protocol (and the shared limits)', () => {
    expect(crossings('clients/', ['src/storage/', 'src/broker/', 'src/cli/', 'bench/'])).to.deep.equal([]);
  });

  it('outside storage, only its front door (src/storage/index.ts) is imported', () => {
    const reachingIn = [...graph]
      .filter(([file]) => !file.startsWith('src/storage/'))
      .flatMap(([file, targets]) => targets.filter((t) => t.startsWith('src/storage/') && t !== 'src/storage/index.ts').map((t) => `${file} -> ${t}`));
    expect(reachingIn).to.deep.equal([]);
  });

  it('the product never imports the load harness except through the package entry `odlog/bench`', () => {
    expect(crossings('src/', ['bench/'])).to.deep.equal([]);
    expect(crossings('clients/', ['bench/'])).to.deep.equal([]);
  });
});
