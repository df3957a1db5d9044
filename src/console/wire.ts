import type { Static } from 'typebox';
import type * as vpc from '../wire/vpc.ts';
import type * as vpcep from '../wire/vpcep.ts';

/** The API's answers as the console reads them: the wire schemas' own types. */
export type Vpc = Static<typeof vpc.Vpc>;
export type Subnet = Static<typeof vpc.Subnet>;
export type RoutetableSummary = Static<typeof vpc.RoutetableSummary>;
export type Routetable = Static<typeof vpc.Routetable>;
export type Endpoint = Static<typeof vpcep.Endpoint>;
export type PublicService = Static<typeof vpcep.PublicEndpointService>;
export type OwnService = Static<typeof vpcep.EndpointService>;
export type Connection = Static<typeof vpcep.Connection>;
export type Permission = Static<typeof vpcep.Permission>;
export type RoutetableChange = Static<typeof vpcep.RoutetableInfoResp>;
