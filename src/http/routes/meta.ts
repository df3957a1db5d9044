import { ApiError } from '../../domain/errors.ts';
import { Version, VersionParams, Versions } from '../../wire/vpcep.ts';
import { route } from '../route.ts';

/** The versions of the API this server speaks: v1, as the published examples show it. */
const VERSIONS = [
  { id: 'v1', version: '1', min_version: '', status: 'CURRENT', updated: '2018-09-30T00:00:00Z' },
];

/**
 * API versions: the only calls without authentication (api-surface.md §3). A version's link is
 * its own path, which answers (spec/operations.md, "Versions").
 */
export function metaRoutes() {
  const versions = (base: string) =>
    VERSIONS.map((v) => ({
      ...v,
      links: [{ href: `${base}/${v.id}`, type: 'application/json', rel: 'self' }],
    }));
  return [
    route({
      method: 'GET',
      url: '/',
      api: 'meta',
      operationId: 'ListVersionDetails',
      auth: false,
      schema: { response: { 200: Versions } },
      handler: async ({ request }) => ({ versions: versions(`${request.protocol}://${request.host}`) }),
    }),
    route({
      method: 'GET',
      url: '/:version',
      api: 'meta',
      operationId: 'ListSpecifiedVersionDetails',
      auth: false,
      schema: { params: VersionParams, response: { 200: Version } },
      handler: async ({ request, params }) => {
        const version = versions(`${request.protocol}://${request.host}`).find(
          (v) => v.id === params.version,
        );
        if (!version) throw new ApiError('EndPoint.0005', 'No API version of that name; GET / lists them.');
        return { version };
      },
    }),
  ];
}
