import type { Command } from 'commander';
import { VpcepNotFoundError } from '../sdk/errors.ts';
import { CliError, EXIT, type Context } from './context.ts';

/** `--wait` and `--timeout` on the commands that start a provisioning (README, "CLI": --wait). */
export function withWaitOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--wait', `follow the ${what} until it leaves its transitional state (progress on stderr)`)
    .option('--timeout <seconds>', `how long --wait waits (exits ${EXIT.timeout} past it)`, '300');
}

/** A --wait that ran out of time: which state the resource was still in. */
export class WaitTimeout extends CliError {
  override exitCode = EXIT.timeout;
}

/** Checks --timeout before the call, so a bad value changes nothing. */
export function checkWait(opts: Record<string, unknown>): void {
  if (opts.wait) timeoutSeconds(opts.timeout);
}

function timeoutSeconds(raw: unknown): number {
  const s = typeof raw === 'string' && /^\d{1,6}(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(s) || s <= 0)
    throw new CliError(`--timeout must be a number of seconds, got "${String(raw)}"`);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `get` while the resource is in `transitional` (`creating`, `deleting`), with a backoff from
 * 250 ms to 5 s, and prints each state it sees on stderr. Returns the resource in its final state,
 * or `undefined` when it is gone (`isGone`, a 404 by default: a deletion that finished).
 */
export async function waitWhile<T extends { status: string }>(
  ctx: Context,
  label: string,
  transitional: string,
  opts: Record<string, unknown>,
  get: () => Promise<T>,
  isGone: (e: unknown) => boolean = (e) => e instanceof VpcepNotFoundError,
): Promise<T | undefined> {
  const timeout = timeoutSeconds(opts.timeout);
  const start = Date.now();
  let delay = 250;
  let last = '';
  for (;;) {
    let current: T;
    try {
      current = await get();
    } catch (e) {
      if (isGone(e)) {
        ctx.out.warn(`${label}: gone`);
        return undefined;
      }
      throw e;
    }
    const elapsed = ((Date.now() - start) / 1000).toFixed(1);
    if (current.status !== last) ctx.out.warn(`${label}: ${current.status} (${elapsed}s)`);
    last = current.status;
    if (current.status !== transitional) return current;
    if (Date.now() - start >= timeout * 1000) {
      throw new WaitTimeout(
        `timed out after ${timeout}s waiting for ${label}; it is still ${current.status}`,
      );
    }
    await sleep(Math.min(delay, Math.max(0, timeout * 1000 - (Date.now() - start))));
    delay = Math.min(delay * 2, 5000);
  }
}
