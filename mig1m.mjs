// usage: node mig1m.mjs OLD|NEW DIR
const [which, dir] = process.argv.slice(2);
const base = which === 'OLD' ? '/work/snap4' : '/work/main';
const { LogDb } = await import(`${base}/dist/src/storage/index.js`);
const t0 = performance.now();
const log = await LogDb.open({ path: dir });
const opened = performance.now() - t0;
if (which === 'OLD') {
  for (let b = 0; b < 1000; b++) {
    const recs = [];
    for (let i = 0; i < 1000; i++) recs.push({ key: `entity-${(b * 1000 + i) * 7919 % 1000000}`, value: 'x'.repeat(100) });
    await log.append(recs);
  }
  await log.flush();
} else {
  let n = 0; for await (const e of log.scan('entity-4242')) n++;
  console.log('entity-4242 entries', n, 'count', await log.count('entity-4242'));
}
await log.close();
console.log(which, 'open ms', opened.toFixed(0));
