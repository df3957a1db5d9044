/**
 * The one catalogue of wire error codes (spec/errors.md). Every failure the API reports is an
 * ApiError naming one of these codes; the HTTP layer renders it, nobody else builds an error body.
 *
 * `family` decides the envelope: `gateway` errors carry the gateway's top-level fields too,
 * `vpc` errors the VPC service's top-level `code`/`message`, `iam` errors Keystone's numeric shape.
 */
export type ErrorFamily = 'endpoint' | 'gateway' | 'vpc' | 'iam';

interface CatalogueEntry {
  status: number;
  message: string;
  family: ErrorFamily;
  /** The published message for another status of the same code (the gateway's APIGW.0201). */
  variants?: Readonly<Record<number, string>>;
}

const entries = {
  // Gateway (decided before the service runs)
  'APIGW.0101': {
    status: 404,
    message: 'The API does not exist or has not been published in the environment.',
    family: 'gateway',
  },
  'APIGW.0201': {
    status: 413,
    message: 'Request entity too large.',
    family: 'gateway',
    // reference.md §4.3: one code, a message per status. The gateway's "headers too large" is
    // nginx's 494; this server answers the standard 431 with that message.
    variants: { 400: 'API request error.', 414: 'Request URI too large.', 431: 'Request headers too large.' },
  },
  'APIGW.0301': { status: 401, message: 'Incorrect IAM authentication information', family: 'gateway' },
  'APIGW.0302': {
    status: 403,
    message: 'The IAM user is forbidden in the currently selected region',
    family: 'gateway',
  },
  'APIGW.0308': { status: 429, message: 'The throttling threshold has been reached.', family: 'gateway' },

  // This project's own codes (errors.md: VPCEP.* for cases without a published code)
  'VPCEP.0405': { status: 405, message: 'Method not allowed.', family: 'endpoint' },
  'VPCEP.0406': {
    status: 406,
    message: 'Not acceptable: this API answers application/json only.',
    family: 'endpoint',
  },
  'VPCEP.0409': {
    status: 409,
    message: 'Another change to this resource is in progress. Please retry.',
    family: 'endpoint',
  },
  'VPCEP.0401': {
    status: 401,
    message: 'The operator key is missing or wrong.',
    family: 'endpoint',
  },
  'VPCEP.0403': {
    status: 403,
    message: "Policy doesn't allow this action to be performed.",
    family: 'vpc',
  },
  'VPCEP.0404': { status: 404, message: 'The account does not exist.', family: 'endpoint' },
  'VPCEP.1001': { status: 409, message: 'The account name is taken.', family: 'endpoint' },
  'VPCEP.1002': {
    status: 409,
    message: 'The account still has resources; delete them first.',
    family: 'endpoint',
  },
  'VPCEP.0501': { status: 501, message: 'Not implemented.', family: 'endpoint' },
  'VPCEP.0502': {
    status: 502,
    message: 'A backend answered with something unusable. Please retry.',
    family: 'endpoint',
  },
  'VPCEP.0503': {
    status: 503,
    message: 'Service temporarily unavailable. Please retry.',
    family: 'endpoint',
  },
  // Ports of the VPC API without a published code (spec/interface-services.md)
  'VPCEP.2001': { status: 404, message: 'The port does not exist.', family: 'vpc' },
  'VPCEP.2002': { status: 409, message: 'The port is in use by a VPC endpoint service.', family: 'vpc' },
  'VPCEP.2003': { status: 409, message: 'No free IP address is left in the subnet.', family: 'vpc' },
  'VPCEP.2004': { status: 409, message: 'The subnet is in use.', family: 'vpc' },
  // Never an answer's status: the `error` of an endpoint or a service whose provisioning failed
  // (spec/operations.md, "Lifecycle"); the published field holds at most 10 characters.
  'VPCEP.3001': { status: 500, message: 'Failed to create the VPC endpoint.', family: 'endpoint' },
  'VPCEP.3002': { status: 500, message: 'Failed to create the VPC endpoint service.', family: 'endpoint' },

  // Published VPC Endpoint codes
  'EndPoint.0001': { status: 500, message: 'System error. Please retry.', family: 'endpoint' },
  'EndPoint.0002': { status: 400, message: 'Parameter error.', family: 'endpoint' },
  'EndPoint.0004': {
    status: 403,
    message: 'Authentication information is incorrect or you have no permissions.',
    family: 'endpoint',
  },
  'EndPoint.0005': { status: 404, message: 'The requested resource is unavailable.', family: 'endpoint' },
  'EndPoint.0006': { status: 400, message: 'Invalid limit.', family: 'endpoint' },
  'EndPoint.0007': { status: 400, message: 'Invalid action.', family: 'endpoint' },
  'EndPoint.0010': { status: 400, message: 'Invalid offset.', family: 'endpoint' },
  'EndPoint.0011': { status: 400, message: 'The request body is null.', family: 'endpoint' },
  'EndPoint.0013': { status: 504, message: 'The request timed out.', family: 'endpoint' },
  'EndPoint.0016': {
    status: 400,
    message: 'The number of batch operated resources exceeded the limit.',
    family: 'endpoint',
  },
  'EndPoint.0017': { status: 400, message: 'Invalid sort_key.', family: 'endpoint' },
  'EndPoint.0018': { status: 400, message: 'Invalid sort_dir.', family: 'endpoint' },
  'EndPoint.0019': { status: 400, message: 'Invalid status.', family: 'endpoint' },
  'EndPoint.0020': { status: 400, message: 'Invalid VPC ID.', family: 'endpoint' },
  'EndPoint.0021': { status: 400, message: 'Invalid marker_id.', family: 'endpoint' },
  'EndPoint.0023': { status: 400, message: 'Invalid subnet_id.', family: 'endpoint' },
  'EndPoint.1004': { status: 400, message: 'Invalid request.', family: 'endpoint' },
  'Endpoint.1018': { status: 400, message: 'Quota exceeded.', family: 'endpoint' },
  'EndPoint.1019': { status: 400, message: 'Invalid route table ID.', family: 'endpoint' },
  'EndPoint.2001': { status: 400, message: 'The VPC does not exist.', family: 'endpoint' },
  'EndPoint.2003': { status: 400, message: 'The endpoint service does not exist.', family: 'endpoint' },
  'EndPoint.2004': { status: 400, message: 'The endpoint service is unavailable.', family: 'endpoint' },
  'EndPoint.2006': { status: 404, message: 'The requested endpoint does not exist.', family: 'endpoint' },
  'EndPoint.2012': {
    status: 400,
    message: 'You have no permission to connect to the VPC endpoint service.',
    family: 'endpoint',
  },
  'EndPoint.2013': {
    status: 400,
    message: 'The endpoint does not belong to the endpoint service.',
    family: 'endpoint',
  },
  'EndPoint.2018': { status: 400, message: 'The endpoint is being deleted.', family: 'endpoint' },
  'EndPoint.2019': { status: 400, message: 'The endpoint is being created.', family: 'endpoint' },
  'EndPoint.2022': { status: 400, message: 'Failed to create an endpoint.', family: 'endpoint' },
  'EndPoint.2031': { status: 400, message: 'Only one endpoint is allowed.', family: 'endpoint' },
  'EndPoint.2028': {
    status: 400,
    message: 'The endpoint service port or protocol is empty.',
    family: 'endpoint',
  },
  'EndPoint.2039': {
    status: 400,
    message: 'The route table is being used by another VPC endpoint.',
    family: 'endpoint',
  },
  'EndPoint.2040': { status: 400, message: 'The VPC endpoint has no route table bound.', family: 'endpoint' },
  'EndPoint.2044': { status: 400, message: 'Invalid whitelist.', family: 'endpoint' },
  'EndPoint.2041': { status: 400, message: 'Invalid Port IP address.', family: 'endpoint' },
  'EndPoint.2042': { status: 400, message: 'The Port IP is in use.', family: 'endpoint' },
  'EndPoint.2043': { status: 400, message: 'The Port IP is not valid for the subnet.', family: 'endpoint' },
  'EndPoint.2045': {
    status: 400,
    message: 'The maximum number of whitelist records has been reached.',
    family: 'endpoint',
  },
  'EndPoint.2047': {
    status: 400,
    message: 'The VPC endpoint in the Failed status cannot be modified.',
    family: 'endpoint',
  },
  'EndPoint.3066': { status: 400, message: 'The tag cannot be empty.', family: 'endpoint' },
  'EndPoint.3067': { status: 400, message: 'The tag key cannot be duplicated.', family: 'endpoint' },
  'EndPoint.3068': {
    status: 400,
    message: 'Tag keys and values should meet relevant requirements.',
    family: 'endpoint',
  },
  'EndPoint.3069': {
    status: 400,
    message: 'The maximum number of tags has been reached.',
    family: 'endpoint',
  },
  'EndPoint.3070': { status: 400, message: 'Invalid resource type.', family: 'endpoint' },
  'EndPoint.3071': { status: 400, message: 'The tag value cannot be duplicated.', family: 'endpoint' },
  'EndPoint.3072': { status: 400, message: 'The tag key size is invalid.', family: 'endpoint' },
  'EndPoint.3073': { status: 400, message: 'The tag value size is invalid.', family: 'endpoint' },
  'EndPoint.2048': { status: 400, message: 'The VPC endpoint policy is invalid.', family: 'endpoint' },
  'EndPoint.3002': { status: 400, message: 'Invalid permission.', family: 'endpoint' },
  'EndPoint.3006': { status: 400, message: 'The endpoint service is being used.', family: 'endpoint' },
  'EndPoint.3008': { status: 400, message: 'The port does not exist.', family: 'endpoint' },
  'EndPoint.3021': { status: 400, message: 'Invalid serverType.', family: 'endpoint' },
  'EndPoint.3035': { status: 400, message: 'Invalid action.', family: 'endpoint' },
  'EndPoint.3036': { status: 400, message: 'Invalid permissions.', family: 'endpoint' },
  'EndPoint.3042': {
    status: 400,
    message: 'The port ID does not belong to the current VPC.',
    family: 'endpoint',
  },
  'EndPoint.3043': { status: 400, message: 'The service port is invalid.', family: 'endpoint' },
  'EndPoint.3044': {
    status: 400,
    message: 'The parameter ports conflicted with ports in an existing endpoint service.',
    family: 'endpoint',
  },
  'EndPoint.3045': {
    status: 400,
    message: 'Other properties cannot be modified in the current endpoint service state.',
    family: 'endpoint',
  },
  'EndPoint.3074': { status: 400, message: 'The maximum of ports has been reached.', family: 'endpoint' },
  'EndPoint.3075': { status: 400, message: 'The protocol is invalid.', family: 'endpoint' },
  'EndPoint.3076': { status: 400, message: 'Invalid service name.', family: 'endpoint' },
  'EndPoint.4028': {
    status: 400,
    message: "Failed to add routes to the VPC's route table.",
    family: 'endpoint',
  },
  'EndPoint.4029': {
    status: 400,
    message: "Failed to remove routes from the VPC's route table.",
    family: 'endpoint',
  },
  'EndPoint.4030': { status: 404, message: 'The route table is not found.', family: 'endpoint' },

  // VPC service codes (route tables, VPCs, subnets)
  'VPC.0101': { status: 400, message: 'Parameter error.', family: 'vpc' },
  'VPC.0102': { status: 400, message: 'The request body is null.', family: 'vpc' },
  'VPC.0103': { status: 404, message: 'The VPC does not exist.', family: 'vpc' },
  'VPC.0104': { status: 409, message: 'The VPC is in use.', family: 'vpc' },
  'VPC.0201': { status: 404, message: 'The subnet does not exist.', family: 'vpc' },
  'VPC.0202': { status: 400, message: 'Subnet CIDR conflict.', family: 'vpc' },
  'VPC.0701': { status: 409, message: 'IP is in use.', family: 'vpc' },
  'VPC.2801': { status: 400, message: 'Invalid route.', family: 'vpc' },
  'VPC.2802': { status: 400, message: 'The route table is in use.', family: 'vpc' },
  'VPC.2803': { status: 400, message: 'Route quota exceeded.', family: 'vpc' },
  'VPC.2808': { status: 404, message: 'RouteTable is not exist.', family: 'vpc' },
  'VPC.2809': { status: 400, message: 'Route destination conflicts with an existing route.', family: 'vpc' },

  // IAM (Keystone style: the numeric status is the code)
  'IAM.0400': { status: 400, message: 'The request you have made requires a valid body.', family: 'iam' },
  'IAM.0401': { status: 401, message: 'The username or password is wrong.', family: 'iam' },
  'IAM.0403': { status: 403, message: 'You have no permission to perform this operation.', family: 'iam' },
  'IAM.0409': {
    status: 409,
    message: 'The number of access keys has reached the limit of 2 per user.',
    family: 'iam',
  },
  'IAM.0404': { status: 404, message: 'Could not find the requested resource.', family: 'iam' },
  'IAM.1107': { status: 400, message: 'The account administrator cannot be deleted.', family: 'iam' },
  'IAM.1108': {
    status: 400,
    message: 'The new password must be different from the old password.',
    family: 'iam',
  },
  'IAM.1109': { status: 400, message: 'The username already exists.', family: 'iam' },
  'IAM.1409': { status: 409, message: 'The name is taken in this account.', family: 'iam' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof entries;

/** Whether `code` names an entry of the catalogue (schemas name codes as data: `x-error-code`). */
export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.hasOwn(entries, code);

export interface ApiErrorOptions {
  /** Response headers that go with the error (`Allow`, `Retry-After`). */
  headers?: Record<string, string>;
  /**
   * A status other than the catalogue's, where errors.md gives one code two statuses (EndPoint.0013:
   * 504 when a backend is late, 408 when the client's body is).
   */
  status?: number;
  /** Why, for the log only; never sent (errors.md: the client learns nothing from the difference). */
  reason?: string;
}

/** A wire error. `detail` follows the published message (errors.md, last paragraph). */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly family: ErrorFamily;
  readonly headers: Record<string, string>;
  readonly reason: string | undefined;

  constructor(code: ErrorCode, detail?: string, options: ApiErrorOptions = {}) {
    const entry: CatalogueEntry = entries[code];
    const status = options.status ?? entry.status;
    const published = entry.variants?.[status] ?? entry.message;
    // The published text stays first, so a client matching on it still matches.
    super(detail ? `${published}${published.endsWith('.') ? ' ' : ': '}${detail}` : published);
    this.code = code;
    this.status = status;
    this.family = entry.family;
    this.headers = options.headers ?? {};
    this.reason = options.reason;
  }

  /** The `"<code>: <message>"` form used in per-table failure lists (routetables.md), at most 1024 chars. */
  get line(): string {
    return `${this.code}: ${this.message}`.slice(0, 1024);
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
