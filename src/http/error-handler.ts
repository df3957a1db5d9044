import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, isErrorCode, type ErrorCode, type ErrorFamily } from '../domain/errors.ts';
import type { Api } from './route.ts';

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function apiOf(request: FastifyRequest): Api {
  // Framework errors (a bad URL) arrive before any route matched.
  return (request.routeOptions?.config as { api?: Api } | undefined)?.api ?? 'endpoint';
}

/** The generic codes of each API: bad parameter, missing body. */
export const GENERIC: Record<Api, { invalid: ErrorCode; empty: ErrorCode }> = {
  endpoint: { invalid: 'EndPoint.0002', empty: 'EndPoint.0011' },
  meta: { invalid: 'EndPoint.0002', empty: 'EndPoint.0011' },
  admin: { invalid: 'EndPoint.0002', empty: 'EndPoint.0011' },
  vpc: { invalid: 'VPC.0101', empty: 'VPC.0102' },
  iam: { invalid: 'IAM.0400', empty: 'IAM.0400' },
};

export function invalidParameter(request: FastifyRequest, detail: string): ApiError {
  return new ApiError(GENERIC[apiOf(request)].invalid, detail);
}

export function emptyBody(request: FastifyRequest): ApiError {
  return new ApiError(GENERIC[apiOf(request)].empty);
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: Record<string, unknown>;
}

/** `routetables/0` → `routetables[0]`; the field a client can find in its own request. */
function fieldName(context: string, e: AjvError): string {
  const parts = e.instancePath.split('/').filter(Boolean);
  if (e.keyword === 'required') parts.push(String(e.params.missingProperty));
  if (e.keyword === 'additionalProperties') parts.push(String(e.params.additionalProperty));
  const name = parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  return name || context;
}

/** Maps a schema validation failure to the API's code, naming the field and the rule. */
function validationError(request: FastifyRequest, err: FastifyError): ApiError {
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  const errors = (err.validation as AjvError[] | undefined) ?? [];
  const first = errors[0];
  if (context === 'body' && (request.body === undefined || request.body === null)) return emptyBody(request);
  if (!first) return invalidParameter(request, err.message);
  // A union (e.g. sort_key's literals) reports its branches' failures before its own; the field's
  // code sits on the union, so look at every error on the same field.
  const own = errors
    .filter((e) => e.instancePath === first.instancePath)
    .map((e) => e.parentSchema?.['x-error-code'])
    .find(isErrorCode);
  const rule =
    first.keyword === 'enum'
      ? `must be one of ${(first.params.allowedValues as unknown[]).join(', ')}`
      : (first.message ?? 'is invalid');
  const detail = `${fieldName(context, first)} ${rule}.`;
  return own ? new ApiError(own, detail) : invalidParameter(request, detail);
}

/**
 * The envelope an error goes out in: its code's family, except that the codes every API shares
 * (vpcep's own VPCEP.*, and the system error EndPoint.0001) add the VPC service's top-level fields
 * on VPC routes, so a VPC client reads them as it reads that service's own errors. (Keystone's
 * numeric envelope would hide the code, so IAM routes keep the shared one.)
 */
function familyFor(request: FastifyRequest, e: ApiError): ErrorFamily {
  const shared = e.code.startsWith('VPCEP.') || e.code === 'EndPoint.0001';
  return shared && apiOf(request) === 'vpc' ? 'vpc' : e.family;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, e: ApiError): FastifyReply {
  // For the request's one log line (http/logging.ts): the code, and why, which the client never sees.
  request.outcome = { code: e.code, ...(e.reason !== undefined ? { reason: e.reason } : {}) };
  const body = errorBody(e, familyFor(request, e), request.id);
  return reply.code(e.status).headers(e.headers).type(JSON_TYPE).send(body);
}

/** The body of an error in a family's envelope (spec/errors.md, "Envelopes"). */
export function errorBody(e: ApiError, family: ErrorFamily, requestId: string): unknown {
  switch (family) {
    case 'gateway':
      return {
        error: { code: e.code, message: e.message },
        error_code: e.code,
        error_msg: e.message,
        request_id: requestId,
      };
    case 'vpc':
      return { error: { code: e.code, message: e.message }, code: e.code, message: e.message };
    case 'iam':
      return { error: { code: e.status, message: e.message, title: TITLES[e.status] ?? 'Error' } };
    default:
      return { error: { code: e.code, message: e.message } };
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
};

/**
 * Errors Fastify raises before routing (a malformed percent-escape, an over-long path segment):
 * answered in the API's envelope with a request id like every other answer.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Request-Id', request.id);
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A path parameter is too long.'
      : 'The request URL is not valid.';
  void sendError(request, reply, new ApiError('EndPoint.0002', detail));
}

/** The one error handler: every failure leaves here, nothing internal in the body. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    try {
      return handle(err, request, reply);
    } catch (failure) {
      // Rendering an error must not fail in turn: Fastify would answer with its own body.
      request.log.error({ err: failure, cause: err }, 'the error handler failed');
      return sendError(request, reply, new ApiError('EndPoint.0001'));
    }
  });

  app.setNotFoundHandler((request, reply) => sendError(request, reply, new ApiError('APIGW.0101')));
}

function handle(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiError) {
    return sendError(request, reply, err);
  }
  if (err.validation) return sendError(request, reply, validationError(request, err));
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendError(request, reply, new ApiError('APIGW.0201'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendError(request, reply, emptyBody(request));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendError(request, reply, invalidParameter(request, 'Content-Length does not match the body.'));
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return sendError(request, reply, invalidParameter(request, err.message));
  }
  request.log.error({ err }, 'unexpected error');
  return sendError(request, reply, new ApiError('EndPoint.0001'));
}
