import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary directories for one test file, removed after it (even when a test fails). */
export class TempDirs {
  private readonly made: string[] = [];

  make(label = 'odlog-test'): string {
    const dir = mkdtempSync(join(tmpdir(), `${label}-`));
    this.made.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
