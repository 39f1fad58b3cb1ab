/** A column of per-entry values: key states, commit groups. */
export type TypedColumn = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** `from` copied into a new column of the same type and `size` entries (the rest zero). */
export function grownColumn<T extends TypedColumn>(from: T, size: number): T {
  const to = new (from.constructor as new (n: number) => T)(size);
  to.set(from);
  return to;
}
