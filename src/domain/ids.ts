import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** Where identifiers come from; injected so tests can make them deterministic (design.md). */
export interface Ids {
  uuid(): string;
  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string;
  /** An integer in [min, max). */
  int(min: number, max: number): number;
}

/**
 * Random bytes from the system's CSPRNG, drawn 4 KiB at a time and handed out in slices, each byte
 * once: one call into the generator serves a few hundred ids (every request takes one for its
 * X-Request-Id). Node's randomUUID() keeps a cache the same way.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function take(bytes: number): Buffer {
  if (bytes > pool.length) return randomBytes(bytes);
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + bytes));
  // Handed out once: wiped, so nothing keeps a copy of a secret made from it.
  pool.fill(0, used, used + bytes);
  used += bytes;
  return out;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  hex: (bytes) => take(bytes).toString('hex'),
  int: (min, max) => min + (take(4).readUInt32BE(0) % (max - min)),
};

/** A new access key pair: Huawei AKs are 20 upper-case alphanumerics, SKs 40 characters. */
export function newAccessKey(ids: Ids): { access: string; secret: string } {
  return { access: ids.hex(10).toUpperCase(), secret: ids.hex(20) };
}

/** Time, injected for the same reason. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** VPC Endpoint objects: `YYYY-MM-DDTHH:MM:SSZ` (api-surface.md). */
export function endpointTime(d: Date): string {
  return d.toISOString().slice(0, 19) + 'Z';
}

/**
 * `endpointTime` of a stored time, which the store keeps as `Date#toISOString` writes it: cut
 * from the text, without a Date in between (a list makes two per endpoint).
 */
export function endpointTimeOf(iso: string): string {
  return iso.length === 24 && iso.endsWith('Z') ? `${iso.slice(0, 19)}Z` : endpointTime(new Date(iso));
}

/** VPC route-table objects: `YYYY-MM-DDTHH:MM:SS`, no zone (api-surface.md). */
export function vpcTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

/** IAM tokens: microseconds and `Z`, e.g. `2026-11-28T06:52:13.855000Z`. */
export function iamTime(d: Date): string {
  return d.toISOString().slice(0, 23) + '000Z';
}
