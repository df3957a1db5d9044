import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { ConfigError, loadConfig } from '../config.ts';
import { registerAccountCommands } from './accounts.ts';
import { addGroupExamples, withExample } from './command.ts';
import { registerCompletionCommand } from './completion.ts';
import { registerEndpointCommands } from './endpoints.ts';
import { registerIamCommands } from './iam.ts';
import { registerNetworkCommands } from './network.ts';
import { registerOperationCommands } from './operations.ts';
import { registerProfileCommands } from './profiles.ts';
import { registerServiceCommands } from './services.ts';

/** A reason `vpcep serve` cannot start that its user can act on; printed as `vpcep: <reason>`. */
export class StartupError extends Error {}

/** The `vpcep` command. Everything but `serve` goes through the SDK (design.md, "cli/"). */
export async function runCli(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

/** The command tree (the completion script and test/unit/cli-help.test.ts walk it). */
export function buildProgram(): Command {
  const program = new Command('vpcep')
    .description('VPC endpoint control plane, wire-compatible with Huawei Cloud VPCEP')
    .version(pkg.version, '-V, --version', 'print the version');

  const serve = program
    .command('serve')
    .description('serve the API (SQLite under --data-dir unless a database URL is given)')
    .option('--host <host>', 'address to listen on (VPCEP_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (VPCEP_PORT, default 8080)')
    .option('--data-dir <dir>', 'SQLite data directory (VPCEP_DATA_DIR, default ./data)')
    .option(
      '--database-url <url>',
      'PostgreSQL instead of SQLite: postgres://user:pass@host:5432/db (VPCEP_DATABASE_URL)',
    )
    .option('--region <region>', 'region of the bootstrap project (VPCEP_REGION, default cn-north-4)')
    .option('--log-level <level>', 'pino log level (VPCEP_LOG_LEVEL, default info)')
    .option('--no-console', 'do not serve the web console at /console (VPCEP_CONSOLE=0)')
    .option(
      '--log-format <format>',
      'pretty or json (VPCEP_LOG_FORMAT, default pretty on a terminal, json otherwise)',
    )
    .option('--metrics', 'serve Prometheus metrics at GET /metrics on the API port (VPCEP_METRICS=1)')
    .option(
      '--metrics-port <port>',
      'serve GET /metrics on this port instead, on the same host (VPCEP_METRICS_PORT)',
    )
    .action(async (flags, command: Command) => {
      // A `--no-…` flag defaults to true in commander; only a given one may win over VPCEP_CONSOLE.
      if (command.getOptionValueSource('console') === 'default') delete flags.console;
      let config;
      try {
        config = loadConfig(process.env, flags);
      } catch (e) {
        if (e instanceof ConfigError) throw new StartupError(e.message);
        throw e;
      }
      // Loaded here, not at the top: the server's modules are most of what a process loads, which
      // every client command would otherwise pay.
      const { startServer, isStartupProblem } = await import('../server.ts');
      let server;
      try {
        server = await startServer(config);
      } catch (e) {
        if (isStartupProblem(e)) throw new StartupError(e.message);
        throw e;
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });

  registerAccountCommands(program);
  registerIamCommands(program);
  registerNetworkCommands(program);
  registerServiceCommands(program);
  registerEndpointCommands(program);
  registerOperationCommands(program);
  registerProfileCommands(program);
  registerCompletionCommand(program);
  withExample(serve, [
    'vpcep serve --port 8080 --data-dir ./data',
    'vpcep serve --database-url postgres://vpcep@localhost:5432/vpcep',
  ]);
  addGroupExamples(program);
  return program;
}
