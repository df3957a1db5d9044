import { randomBytes, randomUUID } from 'node:crypto';

/** Where identifiers come from; injected so tests can make them deterministic (design.md). */
export interface Ids {
  uuid(): string;
  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string;
  /** An integer in [min, max). */
  int(min: number, max: number): number;
}

export const randomIds: Ids = {
  uuid: () => randomUUID(),
  hex: (bytes) => randomBytes(bytes).toString('hex'),
  int: (min, max) => min + (randomBytes(4).readUInt32BE(0) % (max - min)),
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

/** VPC route-table objects: `YYYY-MM-DDTHH:MM:SS`, no zone (api-surface.md). */
export function vpcTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

/** IAM tokens: microseconds and `Z`, e.g. `2026-11-28T06:52:13.855000Z`. */
export function iamTime(d: Date): string {
  return d.toISOString().slice(0, 23) + '000Z';
}
