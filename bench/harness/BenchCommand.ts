/** `odlog bench`: the load-testing harness (see bench/README). */
export async function runBenchCommand(_argv: readonly string[]): Promise<number> {
  console.error('odlog bench: not built yet');
  return 1;
}
