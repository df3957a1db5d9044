import { Type } from 'typebox';
import type { ErrorCode } from '../domain/errors.ts';

/** Schemas every API shares. Rules come from the published API definitions (spec/api-surface.md). */

/**
 * The API's error code for a field that fails its schema (error-handler.ts reads it). Typed, so a
 * code missing from the catalogue does not compile.
 */
export const errorCode = (code: ErrorCode) => ({ 'x-error-code': code });

export const Id64 = Type.String({ minLength: 1, maxLength: 64 });

export const ProjectParams = Type.Object({ project_id: Id64 });

/** Query fields shared by the VPC Endpoint list calls, each with its published error code. */
export const ServiceNameQuery = Type.Optional(Type.String({ minLength: 1, maxLength: 128 }));
export const IdQuery = Type.Optional(Id64);
export const Limit = Type.Integer({
  minimum: 1,
  maximum: 1000,
  default: 10,
  ...errorCode('EndPoint.0006'),
});
export const Offset = Type.Integer({
  minimum: 0,
  maximum: 2 ** 31 - 1,
  default: 0,
  ...errorCode('EndPoint.0010'),
});
