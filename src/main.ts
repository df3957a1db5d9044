import { runCli } from './cli/index.ts';

// Process entry: `vpcep <command>`; `npm start` runs `vpcep serve`.
runCli(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
