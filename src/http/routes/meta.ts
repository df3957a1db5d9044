import { Versions } from '../../wire/vpcep.ts';
import { route } from '../route.ts';

/** API versions: the only calls without authentication (api-surface.md §3). */
export function metaRoutes() {
  const versions = (href: string) => ({
    versions: [
      {
        id: 'v1',
        version: '1',
        min_version: '',
        status: 'CURRENT',
        updated: '2018-09-30T00:00:00Z',
        links: [{ href, rel: 'self' }],
      },
    ],
  });
  return [
    ['/', 'ListVersions'],
    ['/v1', 'ListSpecifiedVersionDetails'],
  ].map(([url, operationId]) =>
    route({
      method: 'GET',
      url: url!,
      api: 'meta',
      operationId: operationId!,
      auth: false,
      schema: { response: { 200: Versions } },
      handler: async ({ request }) => versions(`${request.protocol}://${request.host}/v1/`),
    }),
  );
}
