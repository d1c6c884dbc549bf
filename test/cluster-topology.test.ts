// Topologies: all_to_all (workers talk to each other over lazily opened
// connections), master_slave (a worker-to-worker message is a clear error) and
// custom (WorkerConfig ident / connectIdents decide which pairs connect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addprocs, LocalManager, rmprocs, workers, type LaunchParams, type WorkerConfig } from 'loom';
import { echoFixture, info, relay } from './fixtures/cluster-client.js';

const exeflags = ['--import', echoFixture];
const removeAll = () => rmprocs(...workers().filter((p) => p !== 1));

test('all_to_all (the default): every worker reaches every other', async (t) => {
  const ids = await addprocs(3, { exeflags });
  t.after(removeAll);
  for (const a of ids) for (const b of ids) if (a !== b) assert.equal(await relay(a, b, `${a}->${b}`), `${a}->${b}`);
});

test('master_slave (and master_worker): only process 1 talks to workers; worker to worker is a clear error', async (t) => {
  for (const topology of ['master_slave', 'master_worker'] as const) {
    const [a, b] = (await addprocs(2, { exeflags, topology })) as [number, number];
    try {
      assert.deepEqual((await info(a)).workers, [a, b]);
      await assert.rejects(relay(a, b, 'x'), /topology is master_slave/);
    } finally {
      await removeAll();
    }
  }
});

test('the topology cannot change while workers exist', async (t) => {
  await addprocs(1, { exeflags });
  t.after(removeAll);
  await assert.rejects(addprocs(1, { exeflags, topology: 'master_slave' }), /differs from the cluster's 'all_to_all'/);
});

/** Local workers named w0, w1, ...; each connects to the idents `links` gives it. */
class LinkedManager extends LocalManager {
  constructor(
    np: number,
    private readonly links: Record<string, string[]>,
  ) {
    super(np);
  }
  override launch(params: LaunchParams, launched: WorkerConfig[], launchNotify: () => void): Promise<void> {
    let named = 0;
    return super.launch(params, launched, () => {
      for (; named < launched.length; named++) {
        const c = launched[named]!;
        c.ident = `w${named}`;
        c.connectIdents = this.links[`w${named}`] ?? [];
      }
      launchNotify();
    });
  }
}

test('custom: only the pairs named by connectIdents talk, in both directions', async (t) => {
  const ids = await addprocs(new LinkedManager(3, { w1: ['w0'], w2: ['w1'] }), { exeflags, topology: 'custom' });
  t.after(removeAll);
  const byIdent = new Map<string, number>();
  const { managedWorker } = await import('../lib/cluster/addprocs.js');
  for (const id of ids) byIdent.set(managedWorker(id)!.config.ident as string, id);
  const [w0, w1, w2] = ['w0', 'w1', 'w2'].map((k) => byIdent.get(k)!) as [number, number, number];
  assert.equal(await relay(w1, w0, 'up'), 'up');
  assert.equal(await relay(w0, w1, 'down'), 'down', 'the accepting side sends on the same connection');
  assert.equal(await relay(w2, w1, 'x'), 'x');
  await assert.rejects(relay(w2, w0, 'no'), /custom topology does not connect them/);
  await assert.rejects(relay(w0, w2, 'no'), /custom topology does not connect them/);
});
