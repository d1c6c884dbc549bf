// `for await (const v of ch)` over any channel-like thing: take until the
// channel is closed and drained, then end cleanly; any other error propagates.
import { InvalidStateException } from '../errors.js';

export async function* takeUntilClosed<T>(take: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let v: T;
    try {
      v = await take();
    } catch (e) {
      if (e instanceof InvalidStateException && e.state === 'closed') return;
      throw e;
    }
    yield v;
  }
}
