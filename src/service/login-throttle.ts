import type { Clock } from '../domain/ids.ts';

export interface LoginLimits {
  /** Failed logins per user name (in its domain) within the window... */
  perUser: number;
  /** ...and per source address. */
  perAddress: number;
  windowMs: number;
}

/** How many names and addresses are remembered at most; past that, the oldest are forgotten. */
const MAX_KEYS = 10_000;

/**
 * Failed password logins over a sliding window, per user name and per source address (issue 8).
 * Past either limit a login is refused before its password is checked, until the oldest failure
 * leaves the window. Refused attempts are not counted, so an attacker cannot keep the real user
 * out for longer than one window after its last counted failure. In memory, per process: each
 * replica counts its own (README, "Hostile input and limits").
 */
export class LoginThrottle {
  /** Failure times per key, oldest first; never more than the key's limit of them. */
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginLimits,
    private readonly clock: Clock,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  /** Milliseconds until a login of `user` from `address` may be tried, or 0 when it may now. */
  waitFor(domain: string, user: string, address: string): number {
    const now = this.clock.now().getTime();
    let wait = 0;
    for (const [key, limit] of this.#keys(domain, user, address)) {
      const times = this.#recent(key, now);
      if (times.length >= limit)
        wait = Math.max(wait, times[times.length - limit]! + this.limits.windowMs - now);
    }
    return wait;
  }

  failed(domain: string, user: string, address: string): void {
    const now = this.clock.now().getTime();
    for (const [key, limit] of this.#keys(domain, user, address)) {
      const times = this.#recent(key, now);
      times.push(now);
      if (times.length > limit) times.splice(0, times.length - limit);
      this.#failures.delete(key);
      this.#failures.set(key, times);
    }
    if (this.#failures.size > this.maxKeys) this.#sweep(now);
  }

  /** A login that succeeded clears its user's failures (not its address's). */
  succeeded(domain: string, user: string): void {
    this.#failures.delete(userKey(domain, user));
  }

  /** How many names and addresses are remembered now (tests: the memory stays bounded). */
  get size(): number {
    return this.#failures.size;
  }

  #keys(domain: string, user: string, address: string): [string, number][] {
    return [
      [userKey(domain, user), this.limits.perUser],
      [`address ${address}`, this.limits.perAddress],
    ];
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    return times;
  }

  /** Forgets what left the window, then the least recently failed keys past the cap. */
  #sweep(now: number): void {
    for (const [key, times] of this.#failures) {
      if (times.every((t) => t <= now - this.limits.windowMs)) this.#failures.delete(key);
    }
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= this.maxKeys) break;
      this.#failures.delete(key);
    }
  }
}

const userKey = (domain: string, user: string) => `user ${JSON.stringify([domain, user])}`;
