import type { CommittedChunk } from '../../storage/index.js';
import { selectionMatches } from './KeySelection.js';
import type { Subscription } from './Subscription.js';

/**
 * Every subscription of the broker, indexed so that a commit wakes only the subscriptions whose
 * keys it touches: a map from key to subscriptions, and a list of prefix subscriptions.
 */
export class SubscriptionRegistry {
  private readonly byKey = new Map<string, Set<Subscription>>();
  private readonly byPrefix = new Set<Subscription>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  add(sub: Subscription): void {
    this.total++;
    const s = sub.selection;
    if (s.kind === 'prefix') {
      this.byPrefix.add(sub);
      return;
    }
    for (const keyStr of s.keyStrs) {
      let set = this.byKey.get(keyStr);
      if (set === undefined) this.byKey.set(keyStr, (set = new Set()));
      set.add(sub);
    }
  }

  remove(sub: Subscription): void {
    const s = sub.selection;
    if (s.kind === 'prefix') {
      if (this.byPrefix.delete(sub)) this.total--;
      return;
    }
    let removed = false;
    for (const keyStr of s.keyStrs) {
      const set = this.byKey.get(keyStr);
      if (set?.delete(sub)) removed = true;
      if (set?.size === 0) this.byKey.delete(keyStr);
    }
    if (removed) this.total--;
  }

  onChunk(chunk: CommittedChunk): void {
    if (this.total === 0) return;
    let touched: Set<Subscription> | undefined;
    for (const run of chunk.runs) {
      const subs = this.byKey.get(run.keyStr);
      if (subs !== undefined) for (const sub of subs) (touched ??= new Set()).add(sub);
      for (const sub of this.byPrefix) {
        if (selectionMatches(sub.selection, run.key, run.keyStr)) (touched ??= new Set()).add(sub);
      }
    }
    if (touched !== undefined) for (const sub of touched) sub.onChunk(chunk);
  }
}
