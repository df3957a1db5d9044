import { setTimeout as delay } from 'node:timers/promises';

export interface UntilOptions {
  /** How long to wait between probes. */
  everyMs?: number;
  /**
   * Checked before each probe: a string ends the wait at once with that reason (say, the server
   * being waited on has exited), so a test fails now instead of at the deadline.
   */
  giveUp?: () => string | undefined;
  /** More to say when the wait times out (say, the server's output). */
  detail?: () => string;
}

/**
 * Waits on a condition, not for a time: calls `probe` until it gives a value other than
 * `undefined` or `false`, and returns that value; throws naming `what` after `timeoutMs`.
 * The one poller of the suite: a busy machine only makes a wait longer, never a test wrong.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  opts: UntilOptions = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const reason = opts.giveUp?.();
    if (reason !== undefined) throw new Error(`${what}: ${reason}`);
    const got = await probe();
    if (got !== undefined && got !== false) return got;
    if (performance.now() > deadline) {
      const more = opts.detail?.();
      throw new Error(`timed out waiting for ${what} (${timeoutMs} ms)${more ? `\n${more}` : ''}`);
    }
    await delay(opts.everyMs ?? 50);
  }
}
