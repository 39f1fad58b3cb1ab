import { nodeWalFiles, type WalFiles, type WalHandle } from '../../src/index.js';

/**
 * The real WAL file layer, for test layers that change only what an open file does (fail, hold
 * or journal its writes): everything but `open` goes to `nodeWalFiles`.
 */
export abstract class PassThroughWalFiles implements WalFiles {
  list(dir: string): string[] {
    return nodeWalFiles.list(dir);
  }

  read(path: string): Buffer {
    return nodeWalFiles.read(path);
  }

  size(path: string): number {
    return nodeWalFiles.size(path);
  }

  rename(from: string, to: string): void {
    nodeWalFiles.rename(from, to);
  }

  remove(path: string): void {
    nodeWalFiles.remove(path);
  }

  syncDir(dir: string): void {
    nodeWalFiles.syncDir(dir);
  }

  abstract open(path: string, durable: boolean): WalHandle;
}
