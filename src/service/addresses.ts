import { chooseAddress, type AddressRefusal } from '../domain/addresses.ts';
import { ApiError } from '../domain/errors.ts';
import type { Row } from '../store/queries.ts';
import type { Tx } from '../store/store.ts';

/** The refusals of an allocation, in the caller's API (ports: VPC codes; endpoints: VPC Endpoint codes). */
export type AddressErrors = Record<AddressRefusal | 'full', () => ApiError>;

/**
 * Gives `owner` an address of `subnet`: `requested`, or the lowest free one. The one allocator of
 * ports and interface endpoints. The caller has read `subnet` with `forUpdate`, so allocations in
 * one subnet take turns; the registry's primary key backs that up.
 */
export async function allocateAddress(
  r: Tx,
  subnet: Row<'subnets'>,
  owner: { type: 'port' | 'endpoint'; id: string; project_id: string },
  requested: string | undefined,
  errors: AddressErrors,
): Promise<string> {
  const chosen = chooseAddress(subnet, await r.network.addressesInUse(subnet.id), requested);
  if ('refused' in chosen) throw errors[chosen.refused]();
  await r.network.insertAllocation({
    subnet_id: subnet.id,
    ip_address: chosen.ip,
    project_id: owner.project_id,
    owner_type: owner.type,
    owner_id: owner.id,
  });
  return chosen.ip;
}
