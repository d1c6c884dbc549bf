// The child of the process.send row of bench/shared-channel.bench.ts: counts the
// messages it receives and answers the count when told 'end'.
let count = 0;
process.on('message', (m: unknown) => {
  if (m === 'end') {
    process.send!(count);
    count = 0;
  } else count++;
});
