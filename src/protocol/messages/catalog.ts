import type { MessageDefinition } from '../Message.js';
import { Seal, Flush } from './admin.js';
import { Append } from './append.js';
import { Count } from './count.js';
import { Credit, Unsubscribe } from './credit.js';
import { CommitCursor, GetCursor } from './cursors.js';
import { Hello } from './hello.js';
import { ListKeys } from './listKeys.js';
import { ListSegments } from './listSegments.js';
import { Ping } from './ping.js';
import { Scan } from './scan.js';
import { Stats } from './stats.js';
import { Subscribe } from './subscribe.js';

/** Every request message, by type number. */
export const requestCatalog: ReadonlyMap<number, MessageDefinition<unknown, unknown>> = new Map(
  [Hello, Ping, Append, Scan, Subscribe, Credit, Unsubscribe, Count, ListKeys, ListSegments, Seal, Flush, CommitCursor, GetCursor, Stats].map(
    (m) => [m.type, m as MessageDefinition<unknown, unknown>],
  ),
);
