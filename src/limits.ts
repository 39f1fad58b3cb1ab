/**
 * Every bound odlog enforces, in one place. Names end with their unit; each has the reason it is
 * the number it is. Configuration may lower or raise most of them within the documented range;
 * what happens at each bound is stated beside it.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

export const limits = {
  // ---- records ----------------------------------------------------------------------------------

  /** A key longer than this is refused (InvalidArgument). Long enough for composite keys and
   *  UUID paths; keys are stored in every index row, so they are kept far below a value's size. */
  keyBytesMax: 4096,
  /** A value larger than this is refused (InvalidArgument). Big enough for a document, small
   *  enough that one value cannot stall a commit or a consumer's credit window. */
  valueBytesMax: 8 * MiB,
  /** Records in one append. Bounds the per-batch bookkeeping arrays. */
  batchRecordsMax: 100_000,
  /** Key + value bytes in one append; a batch is one atomic unit and must fit one commit. */
  batchBytesMax: 16 * MiB,

  // ---- write path ---------------------------------------------------------------------------------

  /** Bytes accepted but not yet acknowledged. At the bound, append fails with QueueFull (or waits
   *  up to its timeoutMs). 64 MiB is ~0.1 s of ingest at the target rate: enough to keep the
   *  committer busy, small enough that a stalled disk is noticed quickly. */
  writeQueueBytesMax: 64 * MiB,
  /** Batches accepted but not yet acknowledged (same behaviour at the bound as the bytes). */
  writeQueueBatchesMax: 16_384,
  /** Appends allowed to wait for queue space (those that passed timeoutMs). Beyond it, QueueFull. */
  writeWaitersMax: 16_384,
  /** Key + value bytes coalesced into one commit. Larger commits amortise fsync further but hold
   *  acknowledgements longer; 8 MiB is ~20 ms of disk bandwidth on the reference machine. */
  commitBytesMax: 8 * MiB,
  /** Records coalesced into one commit. */
  commitRecordsMax: 65_536,
  /** Commits handed to LMDB and not yet committed. Two lets the next commit be built while the
   *  previous one is written; more only adds latency. */
  commitsInFlightMax: 2,
  /** Commit arenas kept for reuse (a commit in flight holds one, its chunk's listeners another)… */
  arenasKept: 4,
  /** …and their bytes at most; a larger arena is left to the GC. */
  arenaBytesKept: 64 * MiB,
  /** Smallest arena allocated, so that small commits reuse one another's. */
  arenaBytesMin: 256 * KiB,

  // ---- caches and reads -----------------------------------------------------------------------------

  /** Per-key write state kept in memory (last sequence, counts). A miss costs a few LMDB reads. */
  keyStateCacheEntriesMax: 262_144,
  /** Bytes of a scan page read in one read transaction; pages keep long scans from pinning old
   *  snapshots and bound the memory of one iterator. */
  scanPageBytesMax: 1 * MiB,
  /** Rows of a key listing read per page by listKeys. */
  listingPageRowsMax: 512,

  // ---- segments and retention ------------------------------------------------------------------------

  /** The recent tier is compacted into key-clustered rows once it holds this many bytes… */
  recentTierBytesMax: 16 * MiB,
  /** …or this many runs (bounds the in-memory index of the tier too). */
  recentTierRunsMax: 65_536,
  /** A quiet log's recent tier is compacted this long after the last commit. */
  compactIdleMs: 200,
  /** Records and runs moved by one compaction transaction: it holds LMDB's single writer and the
   *  broker's event loop, so it is kept to a few milliseconds (appends and pushes queue behind it)
   *  and compaction runs as several. Measured at 100K records/s offered: 4096 runs per transaction
   *  made ack p99 ~100 ms, 1024 runs ~40 ms; fewer raises p50 through more transactions. */
  compactRecordsMax: 8_192,
  compactRunsMax: 1024,
  /** Under load a commit carries a compaction step (no transaction, no fsync of its own) once the
   *  tier holds this many runs, so merged rows are worth writing… */
  compactRideRunsMin: 2048,
  /** …of at most these many records and runs: the step's merge adds to that commit's latency. */
  compactRideRecordsMax: 8_192,
  compactRideRunsMax: 1024,
  /** Key-clustered rows are cut at this size: seeking or counting reads a whole row, so rows stay
   *  small whatever a commit's or a compaction's size, yet big enough that a scan reads few. */
  streamRowBytesMax: 64 * KiB,

  /** Stream rows deleted per retention transaction: small enough that appends interleave. */
  retentionRowsPerTxnMax: 2_048,

  // ---- idempotent producers ---------------------------------------------------------------------

  /** Batches per producer remembered for retries. Must exceed a producer's in-flight batches;
   *  the client's maxInFlight is capped below it. */
  producerWindowBatches: 64,
  /** Producer windows cached in memory (the rest are read back from LMDB on use). */
  producersCachedMax: 100_000,
  /** A producer not seen for this long is forgotten (its id may then be reused as new). */
  producerIdleMs: 7 * 24 * 3_600_000,

  // ---- wire and broker ----------------------------------------------------------------------------

  /** A frame longer than this is refused from its length field, before its body is read, and
   *  skipped. 16 MiB fits a full batch (batchBytesMax) plus framing. */
  frameBytesMax: 16 * MiB,
  /** Open connections. Beyond it a new connection gets LIMIT_EXCEEDED and is closed. Each
   *  connection can hold outputBufferBytesMax, so this times that bounds output memory. */
  connectionsMax: 1024,
  /** Requests being served per connection (long-polls included). Beyond it: THROTTLED. */
  inFlightRequestsPerConnectionMax: 1024,
  /** Bytes queued to a connection's socket. Above it the broker stops reading that connection's
   *  requests and its subscriptions stop pushing (they resume from storage later). */
  outputBufferBytesMax: 8 * MiB,
  /** A connection whose output stays above its bound this long (a client that never reads) is closed. */
  outputStallTimeoutMs: 30_000,
  /** Subscriptions per connection. Beyond it: LIMIT_EXCEEDED. */
  subscriptionsPerConnectionMax: 256,
  /** A connection with no request, no pending response and no subscription for this long is closed. */
  idleTimeoutMs: 300_000,
  /** A frame must arrive whole within this long of its first byte (slowloris). */
  partialFrameTimeoutMs: 10_000,
  /** A connection must complete Hello within this long. */
  helloTimeoutMs: 10_000,
  /** Entries and bytes in one Scan response. */
  scanEntriesMax: 10_000,
  scanBytesMax: 4 * MiB,
  /** Longest Scan long-poll. */
  longPollWaitMsMax: 60_000,
  /** Keys in one ListKeys response… */
  listKeysMax: 10_000,
  /** …and bytes (a page of long keys stops early, with `more`). */
  listKeysBytesMax: 1024 * 1024,
  /** Value bytes in one subscription push. */
  pushBytesMax: 1 * MiB,
  /** Keys one subscription may name (a prefix covers any number). */
  subscriptionKeysMax: 1024,
  /** Named cursors whose lag Stats computes (the rest are listed without lag). */
  statsCursorsMax: 1000,
  /** Keys counted for one prefix cursor's lag before it is reported as a lower bound… */
  cursorLagKeysMax: 1000,
  /** …and for all cursors of one Stats request together (each count is two seeks). */
  statsLagKeysMax: 20_000,
  /** How long shutdown waits for in-flight requests before failing them. */
  shutdownGraceMs: 10_000,
  /** After the last in-flight request, how long connections stay open answering SHUTTING_DOWN,
   *  so a client reacting to its final answer learns why instead of seeing a bare disconnect. */
  shutdownLingerMs: 200,

  // ---- cli ----------------------------------------------------------------------------------------

  /** Output bytes the CLI gathers before one write to stdout; once stdout's buffer is full it
   *  waits for 'drain', so a slow or paused reader holds the CLI at about this much memory. */
  cliOutputChunkBytes: 64 * KiB,
  /** Records `odlog produce` has sent and not yet seen acknowledged; reading input pauses at the
   *  bound, so a large file is never all in memory. */
  cliProduceRecordsInFlightMax: 10_000,
  /** Keys whose own start `--from -N` works out under a prefix (one position each, kept in memory;
   *  a few dozen Count requests each). Beyond it the command stops with a message. */
  cliLastNKeysMax: 100_000,
} as const;

export type Limits = typeof limits;
