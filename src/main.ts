import { runCli, StartupError } from './cli/index.ts';

// Process entry: `vpcep <command>`; `npm start` runs `vpcep serve`.
runCli(process.argv).catch((err: unknown) => {
  if (err instanceof StartupError) console.error(`vpcep: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
