import type { Deps } from './context.ts';

/** How often a server sweeps away what is gone (spec/operations.md, "Lifecycle"). */
export const SWEEP_INTERVAL_MS = 5_000;

/**
 * One sweep: every endpoint and service whose deletion has ended leaves the store, in one
 * transaction. Readers already treat them as gone; the sweep only reclaims the rows. Any number of
 * replicas may sweep at once: each passes over the rows another holds (store/lifecycle.ts), and a
 * sweep killed halfway has changed nothing.
 */
export function sweep(deps: Pick<Deps, 'store' | 'clock'>) {
  const now = deps.clock.now();
  return deps.store.tx((r) => r.lifecycle.purge(now, {}, { skipLocked: true }));
}

/** Sweeps at start, then every `intervalMs`, until stopped; a failed sweep is logged and retried. */
export class Sweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    private readonly deps: Pick<Deps, 'store' | 'clock' | 'log'>,
    private readonly intervalMs = SWEEP_INTERVAL_MS,
  ) {}

  /** Resolves once the first sweep is done. */
  async start(): Promise<void> {
    await this.#run();
  }

  /** No sweep starts after this; resolves once the one under way, if any, is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #run(): Promise<void> {
    this.#running = sweep(this.deps).then(
      (n) => {
        if (n.endpoints + n.services > 0) this.deps.log.debug(n, 'swept what was gone');
      },
      (err: unknown) => this.deps.log.warn({ err: (err as Error).message }, 'sweep failed'),
    );
    void this.#running.then(() => {
      if (!this.#stopped) this.#timer = setTimeout(() => void this.#run(), this.intervalMs);
    });
    return this.#running;
  }
}
