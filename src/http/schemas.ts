import { Type } from 'typebox';

/** Shared wire schemas. Rules come from the published API definitions (spec/api-surface.md). */

export const Id64 = Type.String({ minLength: 1, maxLength: 64 });

export const ProjectParams = Type.Object({ project_id: Id64 });

/** Query fields shared by the VPC Endpoint list calls, each with its published error code. */
export const ServiceNameQuery = Type.Optional(Type.String({ minLength: 1, maxLength: 128 }));
export const IdQuery = Type.Optional(Id64);
export const Limit = Type.Integer({
  minimum: 1,
  maximum: 1000,
  default: 10,
  'x-error-code': 'EndPoint.0006',
});
export const Offset = Type.Integer({
  minimum: 0,
  maximum: 2 ** 31 - 1,
  default: 0,
  'x-error-code': 'EndPoint.0010',
});
