/**
 * odlog: a key-oriented event log (OpenData Log's model) on LMDB, embedded or over TCP.
 */
export * from './storage/index.js';
export { limits } from './limits.js';
