import { Type } from 'typebox';

/** Shared wire schemas. Rules come from the published API definitions (spec/api-surface.md). */

export const Id64 = Type.String({ minLength: 1, maxLength: 64 });

export const ProjectParams = Type.Object({ project_id: Id64 });

/** An error response of any envelope; kept loose so every family validates. */
export const ErrorBody = Type.Object({}, { additionalProperties: true });
