// The bare front (startBareFront, bench/lib/servers.ts): the rebind's service on the SQLite store behind a bare
// node:http server, with no authentication, no Fastify, no validation, no log line. Run as
//   node --import tsx bench/lib/front-server.ts <data dir> <port> <project id>
// PUT /v1/{project}/vpc-endpoints/{id}/routetables with {"routetables": [...]} answers the service's
// result; GET / answers 200 once the store is open.
import http from 'node:http';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { rebindService } from './floor.ts';

const [dataDir, port, projectId] = process.argv.slice(2);
if (!dataDir || !port || !projectId) throw new Error('usage: front-server.ts <data dir> <port> <project id>');
const store = await openSqliteStore({ dataDir, lockTimeoutMs: 10_000 });
const rebind = rebindService(store, projectId);
const PATH = /^\/v1\/[^/]+\/vpc-endpoints\/([^/]+)\/routetables$/;

const server = http.createServer((req, res) => {
  const answer = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(body);
  };
  const id = req.method === 'PUT' ? PATH.exec(req.url ?? '')?.[1] : undefined;
  if (id === undefined) return answer(req.url === '/' ? 200 : 404, '{}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { routetables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { routetables: string[] };
    rebind(id, routetables).then(
      (result) => answer(200, JSON.stringify(result)),
      (e: unknown) => answer(500, JSON.stringify({ error: String(e) })),
    );
  });
});
server.listen(Number(port), '127.0.0.1');
// The store is closed cleanly at SIGTERM, as the bench stops its servers.
process.once('SIGTERM', () => server.close(() => void store.close().then(() => process.exit(0))));
