/** A block of shared memory frames are carved from; freed when every frame in it is. */
export interface Slab {
  readonly memory: SharedArrayBuffer;
  /** Frames allocated in it and not yet released. */
  live: number;
}

/** A piece of a slab. */
export interface SlabPiece {
  readonly slab: Slab;
  readonly buffer: Buffer;
  /** Where it starts in the slab. */
  readonly offset: number;
}

/**
 * Memory for WAL frames, which live in the memtable until a flush has put them in LMDB. Frames
 * are carved one after another from slabs of shared memory, so the flush worker reads them
 * where they are, many small commits share a slab (a commit of one record does not cost a slab
 * of its own), and slabs whose frames were all flushed are reused instead of being faulted in
 * afresh (the kernel zero-fills every new page, which cost a third of the writer's time when
 * each commit had a fresh buffer).
 */
export class SlabAllocator {
  private current: Slab | undefined;
  private used = 0;
  private readonly kept: Slab[] = [];
  private slabBytesInUse = 0;

  constructor(
    private readonly slabBytes: number,
    /** Emptied slabs kept for reuse, at most this many bytes of them. */
    private readonly keptBytesMax: number,
  ) {}

  /** Bytes of slabs holding live frames (what the memtable costs in memory). */
  get bytesInUse(): number {
    return this.slabBytesInUse;
  }

  /** `bytes` of memory (8-aligned), in a slab of its own if larger than a slab. */
  allocate(bytes: number): SlabPiece {
    const size = (bytes + 7) & ~7;
    if (size > this.slabBytes) {
      const slab: Slab = { memory: new SharedArrayBuffer(size), live: 1 };
      this.slabBytesInUse += size;
      return { slab, buffer: Buffer.from(slab.memory, 0, bytes), offset: 0 };
    }
    if (this.current === undefined || this.used + size > this.slabBytes) {
      this.retireCurrent();
      this.current = this.kept.pop() ?? { memory: new SharedArrayBuffer(this.slabBytes), live: 0 };
      this.slabBytesInUse += this.slabBytes;
      this.used = 0;
    }
    const slab = this.current;
    slab.live++;
    const offset = this.used;
    this.used += size;
    return { slab, buffer: Buffer.from(slab.memory, offset, bytes), offset };
  }

  /**
   * Give back the tail of the latest piece beyond its first `bytes` (a commit is built with its
   * batches copied behind it, which it needs only while it is built).
   */
  shrinkLatest(piece: SlabPiece, bytes: number): Buffer {
    if (piece.slab === this.current && piece.offset + ((piece.buffer.length + 7) & ~7) === this.used) this.used = piece.offset + ((bytes + 7) & ~7);
    return piece.buffer.subarray(0, bytes);
  }

  /** A frame is gone (flushed or abandoned); its slab is freed once it holds none. */
  release(slab: Slab): void {
    slab.live--;
    if (slab.live === 0 && slab !== this.current) this.free(slab);
  }

  private retireCurrent(): void {
    const slab = this.current;
    this.current = undefined;
    if (slab !== undefined && slab.live === 0) this.free(slab);
  }

  private free(slab: Slab): void {
    this.slabBytesInUse -= slab.memory.byteLength;
    if (slab.memory.byteLength === this.slabBytes && (this.kept.length + 1) * this.slabBytes <= this.keptBytesMax) this.kept.push(slab);
  }
}
