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
  /** Key, value and header bytes in one append; a batch is one atomic unit and must fit one commit. */
  batchBytesMax: 16 * MiB,
  /** Headers on one record. Kafka producers rarely send more than a handful; the bound keeps a
   *  record's header block small enough to parse without a second thought. */
  headersPerRecordMax: 64,
  /** Bytes of one header name (UTF-8). */
  headerNameBytesMax: 256,
  /** Bytes of one record's encoded headers (names, values and lengths). */
  headerBytesPerRecordMax: 64 * KiB,

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
  /** Commits being written to the WAL at once. Two lets the next commit be built and its write
   *  begun while the previous one syncs; more only adds latency. */
  commitsInFlightMax: 2,
  /** Bytes of WAL frames the memtable holds before appends wait for a flush (they fail with
   *  STORAGE at once while flushing fails). A flush starts at half of it, so appends go on while
   *  it runs. It is also what a restart replays at most. Big enough that a flush over a million
   *  keys carries about one record per key (each key costs a `streams` row per flush). */
  memtableBytesMax: 256 * MiB,
  /** Distinct keys the memtable holds before appends wait for a flush (a flush starts at half):
   *  each costs ~150 bytes of writer state while it has unflushed records. */
  memtableKeysMax: 2_097_152,
  /** A flush starts once the memtable holds this many bytes per distinct key in it (at least
   *  flushBytesMin, at most half of memtableBytesMax): each distinct key costs a `streams` row
   *  (and a sixteenth of a `key-states` value) per flush, so a flush over many keys is worth more
   *  records. */
  flushBytesPerKey: 2 * KiB,
  /** Past this fraction of memtableBytesMax, while a flush runs, commits are paced so that the
   *  rest of the room lasts until the flush is expected to end (FlushPacer): an even slowdown
   *  instead of a stop of every acknowledgement at the bound. */
  flushPaceFrom: 0.75,
  flushBytesMin: 16 * MiB,
  /** A quiet log's memtable is flushed this long after its last commit. */
  flushIdleMs: 1000,
  /** A failed flush is tried again after this long (doubling, up to 16 times it). */
  flushRetryMs: 1000,
  /** WAL frames are carved from shared-memory slabs of this size: a commit of commitBytesMax with
   *  its batches copied behind it (while it is built) fits one, so none needs memory of its own. */
  slabBytes: 17 * MiB,
  /** Emptied slabs kept for reuse: reused memory is not faulted in again. */
  slabBytesKept: 17 * MiB,
  /** A WAL file is closed and the next begun once it holds this many bytes. Files are given back
   *  once flushed, so the WAL holds about memtableBytesMax plus one file. */
  walFileBytesMax: 32 * MiB,
  /** Emptied WAL files kept to be written over again (overwriting allocated blocks keeps a durable
   *  write a data-only sync). */
  walSparesMax: 2,
  /** While WAL frames are at most walZeroFrameBytesMax, zeros are kept written this far ahead of
   *  the write position, walZeroChunkBytes at a time: a small durable write over allocated blocks
   *  costs about half of one that grows the file (WalWriter.zeroAhead). */
  walZeroAheadBytes: 4 * MiB,
  walZeroChunkBytes: 1 * MiB,
  walZeroFrameBytesMax: 64 * KiB,

  // ---- caches and reads -----------------------------------------------------------------------------

  /** Write states of keys with nothing in the memtable kept in memory (last sequence, count), at
   *  ~75 bytes plus the key's bytes each: enough for every active key of a million-key log. A miss
   *  costs two LMDB reads. Keys with records in the memtable are held besides (memtableKeysMax). */
  keyStateCacheEntriesMax: 2_097_152,
  /** Bytes of a scan page read in one read transaction; pages keep long scans from pinning old
   *  snapshots and bound the memory of one iterator. */
  scanPageBytesMax: 1 * MiB,
  /** Rows of a key listing read per page by listKeys. */
  listingPageRowsMax: 512,
  /** Entries one read page holds at most (with scanPageBytesMax): a page is read in one short read
   *  transaction, so a long iteration never pins an old snapshot. */
  scanPageEntriesMax: 8192,
  /** Commits a global read looks at per page, so that a read of a rare key cannot hold a snapshot
   *  for long while it skips other keys' commits. */
  globalScanCommitsPerPageMax: 4096,
  /** Key names (key id -> bytes) cached for readers walking the log in global order. */
  keyNamesCachedMax: 65_536,
  /** Distinct keys in the memtable above which listKeys flushes it before listing, so that a
   *  listing's memory stays a page's whatever the number of keys. */
  listKeysUnflushedKeysMax: 65_536,

  // ---- segments and retention ------------------------------------------------------------------------

  /** Generation rows (a key's records in one flush) are cut at this size: seeking or counting
   *  reads a whole row, so rows stay small whatever a flush's size, yet big enough that a scan
   *  reads few. */
  streamRowBytesMax: 64 * KiB,

  /** Named consumer cursors a log holds. */
  cursorsMax: 100_000,
  /** Bytes of a cursor's name (UTF-8). */
  cursorNameBytesMax: 256,
  /** Consumer groups with committed offsets a log holds (the Kafka listener's). */
  consumerGroupsMax: 100_000,
  /** Bytes of a consumer group's name, and of the metadata a commit attaches (Kafka's commit metadata). */
  groupNameBytesMax: 256,
  groupMetadataBytesMax: 4096,
  /** Stream rows deleted per retention transaction: small enough that flushes interleave. */
  retentionRowsPerTxnMax: 2_048,

  // ---- idempotent producers ---------------------------------------------------------------------

  /** Batches per producer remembered for retries. Must exceed a producer's in-flight batches;
   *  the client's maxInFlight is capped below it. */
  producerWindowBatches: 64,
  /** Producer windows cached in memory (the rest are read back from LMDB on use). */
  producersCachedMax: 100_000,
  /** A producer not seen for this long is forgotten (its id may then be reused as new). */
  producerIdleMs: 7 * 24 * 3_600_000,
  /** How often idle producers are looked for (their rows are small; once a day keeps the table tidy). */
  producerPruneIntervalMs: 24 * 3_600_000,

  // ---- wire and broker ----------------------------------------------------------------------------

  /** A frame longer than this is refused from its length field, before its body is read, and
   *  skipped. 16 MiB fits a full batch (batchBytesMax) plus framing. */
  frameBytesMax: 16 * MiB,
  /** Open connections. Beyond it a new connection gets LIMIT_EXCEEDED and is closed (with TLS,
   *  after its handshake). Each connection can hold outputBufferBytesMax, so this times that
   *  bounds output memory. With TLS it also bounds the handshakes under way: beyond that, a new
   *  TCP connection is closed at once, without a frame. */
  connectionsMax: 1024,
  /** Requests being served per connection (long-polls included). Beyond it: THROTTLED. */
  inFlightRequestsPerConnectionMax: 1024,
  /** Bytes queued to a connection's socket. Above it the broker stops reading that connection's
   *  requests and its subscriptions stop pushing (they resume from storage later). */
  outputBufferBytesMax: 8 * MiB,
  /** A connection whose output stays above its bound this long (a client that never reads) is
   *  closed. Long enough for a consumer paused by a GC or a slow disk; configurable. */
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

  // ---- Kafka ----------------------------------------------------------------------------------------

  /** Elements in one array of a Kafka request (topics, partitions, group members...). Counts are
   *  also checked against the bytes present; this caps what a frame of frameBytesMax could still
   *  claim. 100,000 is far above any client's request (a Metadata answer is capped lower). */
  kafkaArrayElementsMax: 100_000,
  /** Bytes one compressed Kafka record batch may decompress to. A batch's keys and values are
   *  bounded by batchBytesMax; twice that leaves room for record framing and headers. Above it
   *  the batch is refused (MESSAGE_TOO_LARGE) before more is inflated: a zip bomb costs at most this. */
  kafkaDecompressedBatchBytesMax: 32 * MiB,
  /** Headers on one Kafka record; beyond it the batch is refused (INVALID_RECORD). */
  kafkaRecordHeadersMax: 1024,

  // ---- client ----------------------------------------------------------------------------------
  // Defaults of the TypeScript client (`clients/`); each can be changed per client by the option
  // named beside it.

  /** A connection attempt (TCP/TLS and Hello) fails after this long (`connectTimeoutMs`): long
   *  enough for a TLS handshake over a slow link, short enough that a reconnect loop moves on. */
  clientConnectTimeoutMs: 5_000,
  /** A request not answered within this long, its wait for a reconnect included, fails with
   *  RequestTimeoutError (`requestTimeoutMs`). Long-polls get their wait on top. */
  clientRequestTimeoutMs: 30_000,
  /** Requests in flight or waiting for a reconnect on one connection (`maxPendingRequests`);
   *  beyond it requests fail at once with THROTTLED. The broker's inFlightRequestsPerConnectionMax,
   *  so a client that stays under it is never throttled by the broker for this. */
  clientPendingRequestsMax: 1024,
  /** Longest response frame accepted (`frameBytesMax`); a longer one fails its request from the
   *  length field, unread. The broker's frameBytesMax. */
  clientFrameBytesMax: 16 * MiB,
  /** First reconnect delay (`reconnect.initialDelayMs`), doubled per failed attempt up to… */
  clientReconnectDelayInitialMs: 100,
  /** …this (`reconnect.maxDelayMs`); each delay is jittered to 50–100 % so that clients of a
   *  restarted broker do not all come back at once. */
  clientReconnectDelayMaxMs: 5_000,
  /** How long `client.close()` waits for producers' acknowledgements and consumers' final
   *  commits before rejecting what is left with ClientClosedError (`closeTimeoutMs`). */
  clientCloseTimeoutMs: 5_000,

  // ---- broker ----------------------------------------------------------------------------------------

  /** Responses under construction on one connection (long-polls waiting, scans being read) may
   *  promise at most this many times outputBufferBytesMax in all; a request that would pass it
   *  waits (its connection is not read meanwhile). Four lets a few large scans overlap. */
  responseReservationFactor: 4,
  /** What one Scan entry costs in a response besides its value bytes (sequence and length
   *  varints, rounded up), for the bound reserved before a Scan is served. */
  scanEntryOverheadBytes: 16,
  /** Added to every response's reserved bound: header and small fields. */
  responseOverheadBytes: 1024,
  /** Bound reserved for a Stats response: statsCursorsMax cursors with 256-byte names and their
   *  lag fit in it with room to spare. */
  statsResponseBytesMax: 512 * KiB,
  /** Frames queued to one socket are written at once when this many bytes are waiting, instead of
   *  at the end of the event-loop turn: past it, coalescing saves no syscall worth the latency. */
  outputCoalesceBytes: 32 * KiB,
  /** Record credit one subscription can hold; grants beyond it are capped. The wire's `int`. */
  subscriptionCreditRecordsMax: 0x7fff_ffff,
  /** Byte credit one subscription can hold; grants beyond it are capped. The largest `long` the
   *  wire carries exactly (2^53 - 2: avsc refuses 2^53 - 1). */
  subscriptionCreditBytesMax: 2 ** 53 - 2,
  /** A catch-up read whose snapshot predates a commit it was told of looks again after this long,
   *  instead of spinning or missing the commit. */
  catchUpRetryMs: 2,
  /** At shutdown, after SubscriptionEnd was pushed and connections were ended, how long clients get
   *  to read what was sent before their sockets are destroyed. */
  shutdownCloseWaitMs: 2_000,
  /** A connection refused at connectionsMax gets this long to read its LIMIT_EXCEEDED frame before
   *  its socket is destroyed; refused sockets are not counted, so this bounds how long each is kept. */
  refusedConnectionLingerMs: 1_000,
  /** Items of zero encoded bytes (nulls, empty records) one array of a request may claim: they cost
   *  the sender nothing, so their count is bounded on its own. */
  avroZeroByteItemsMax: 65_536,
  /** Concurrent connections to the metrics endpoint (a scraper needs one or two). Beyond it the
   *  server refuses new connections until some close. */
  metricsConnectionsMax: 16,
  /** Message types whose requests and errors the metrics count one by one (a fixed array); any
   *  higher type number, which no client sends but a fuzzer may, is counted as "unknown". */
  metricsMessageTypesMax: 64,

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

  // ---- Kafka listener -------------------------------------------------------------------------------

  /** Shortest and longest session timeout a Kafka group member may ask for (else
   *  INVALID_SESSION_TIMEOUT). Kafka's floor is 6 s to spare its replicated coordinator; a heartbeat
   *  here is a timer reset, so 1 s is allowed (short timeouts make tests and failover quick). */
  kafkaSessionTimeoutMsMin: 1_000,
  kafkaSessionTimeoutMsMax: 1_800_000,
  /** Consumer groups with members held in memory at once; a JoinGroup for another group gets
   *  COORDINATOR_NOT_AVAILABLE (retriable). Committed offsets are in the log, not counted here. */
  kafkaActiveGroupsMax: 10_000,
  /** Members (joined or holding a member id) of one group; beyond it GROUP_MAX_SIZE_REACHED. One
   *  partition per topic means a group rarely has use for more than a few. */
  kafkaGroupMembersMax: 1_000,
  /** Bytes of one Fetch answer, whatever the client asks (librdkafka asks 50 MiB): what a
   *  connection's output buffer can take twice over; a client asks again for the rest. */
  kafkaFetchResponseBytesMax: 8 * MiB,
  /** Records of one partition in one Fetch answer (each is an object while it is encoded). */
  kafkaFetchRecordsMax: 50_000,
  /** Longest wait a Fetch may ask for (MaxWaitMs); longer ones wait this long. */
  kafkaFetchWaitMsMax: 60_000,
  /** Keys an all-topics Metadata request looks through for legal topic names (the answer itself
   *  is capped by kafkaTopicsListedMax): a log of millions of keys is not listed whole per request. */
  kafkaMetadataKeysScannedMax: 200_000,
  /** Idempotent Kafka producers whose next expected sequence is remembered (see
   *  IdempotentProducers); the least recently used is forgotten first and then accepted at any
   *  sequence, as after a restart. */
  kafkaProducerSequencesMax: 100_000,
  /** Distinct refusals logged per Kafka connection ("logged once" each); beyond it, none. */
  kafkaRefusalsLoggedMax: 64,

  // ---- native protocol: cursors ----------------------------------------------------------------------

  /** Cursors in one ListCursors page (its `limit` is clamped to this): each costs a lag count, so a
   *  page stays as cheap as a Stats request's cursors. */
  listCursorsMax: 1000,
  /** Bytes of cursors (names, keys, prefix) in one ListCursors page; past it the page is cut (it
   *  holds at least one cursor), and the client asks for the next with `after`. */
  listCursorsBytesMax: 1024 * 1024,
  /** Keys whose own lag `odlog cursors describe` counts for a prefix cursor (one Count each). */
  cliCursorKeysMax: 100,

  // ---- lifecycle: trim, delete, backup ---------------------------------------------------------------

  /** Backups (BackupBegin copies) that may exist at once; each is about the live data's size on the
   *  broker's disk, so a few are enough. Beyond it BackupBegin is LIMIT_EXCEEDED (retry later). */
  backupsMax: 2,
  /** Bytes of one BackupRead answer (its maxBytes is clamped to this): what a connection's output
   *  buffer holds many times over, and big enough that a copy of gigabytes streams in few requests. */
  backupReadBytesMax: 1024 * 1024,
  /** A backup copy not read (nor ended) for this long is deleted, so a client that vanished
   *  without its connection closing (a half-open TCP connection) does not hold the disk forever. */
  backupIdleTimeoutMs: 5 * 60_000,
  /** How long the client waits for BackupBegin: the copy of a large log takes minutes (it is
   *  written in full before the answer), far over the default request deadline. */
  clientBackupBeginTimeoutMs: 60 * 60_000,
} as const;

export type Limits = typeof limits;
