import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { withExample } from './command.ts';
import { CliError, Output, withOutputOptions, type CredentialsFile } from './context.ts';

/** What a profile holds: the credentials file's fields, or `credentials`, the path of such a file. */
export type Profile = Partial<CredentialsFile> & { credentials?: string };

export interface ConfigFile {
  profiles: Record<string, Profile>;
}

type Field = keyof Profile;
const SECRETS = new Set(['password', 'secret_key', 'operator_key']);

/** `$XDG_CONFIG_HOME/vpcep/config.json`, else `~/.config/vpcep/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'vpcep', 'config.json');
}

export function readConfig(file = configPath()): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new CliError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the text, which may hold a secret.
    throw new CliError(`${file} is not valid JSON`);
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new CliError(`${file} must hold {"profiles": {...}}`);
  }
  for (const [name, p] of Object.entries(profiles as Record<string, unknown>)) {
    if (typeof p !== 'object' || p === null)
      throw new CliError(`${file}: profile "${name}" must be an object`);
    for (const [k, v] of Object.entries(p)) {
      if (typeof v !== 'string') throw new CliError(`${file}: profile "${name}": "${k}" must be a string`);
    }
  }
  return { profiles: profiles as Record<string, Profile> };
}

/** Writes the file with mode 0600 (its directory 0700): it holds secret keys and passwords. */
export function writeConfig(config: ConfigFile, file = configPath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** The profile named by --profile or VPCEP_PROFILE; undefined when none is named. */
export function selectedProfile(name: string | undefined): { name: string; profile: Profile } | undefined {
  if (name === undefined || name === '') return undefined;
  const file = configPath();
  const { profiles } = readConfig(file);
  const profile = profiles[name];
  if (!profile) {
    const known = Object.keys(profiles);
    throw new CliError(
      `no profile "${name}" in ${file}` +
        (known.length > 0 ? ` (profiles: ${known.join(', ')})` : '; add one with `vpcep profiles add`'),
    );
  }
  return { name, profile };
}

/** `vpcep profiles add|list|remove`. */
export function registerProfileCommands(program: Command): void {
  const profiles = program
    .command('profiles')
    .description(`named connection profiles, in ${configPath().replace(os.homedir(), '~')} (mode 0600)`);

  const add = profiles
    .command('add <name>')
    .description('add or replace a profile: the values of a credentials file, or the path of one')
    .option('--endpoint <url>', 'the API endpoint')
    .option('--project-id <id>', 'the project')
    .option('--region <region>', 'the region')
    .option('--access-key <AK>', 'an access key (with --secret-key)')
    .option('--secret-key <SK>', 'its secret key (visible in `ps`: prefer --secret-key-stdin)')
    .option('--secret-key-stdin', 'read the secret key from standard input')
    .option('--user <name>', 'a user name (with --password and --domain)')
    .option('--password <password>', 'its password (visible in `ps`: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--domain <name>', 'the account (domain) name')
    .option('--operator-key <key>', 'the operator key, for `vpcep accounts`')
    .option('--credentials-file <file>', 'use this credentials file (its values under the ones given here)');
  withExample(add, [
    'vpcep profiles add prod --endpoint https://vpcep.example.com --project-id <project-id> --access-key <AK> --secret-key-stdin < sk.txt',
    'vpcep profiles add local --credentials-file ./data/credentials.json',
  ]);
  add.action((name: string, o: Record<string, string | boolean | undefined>) => {
    run(() => {
      const stdin = o.secretKeyStdin || o.passwordStdin ? fs.readFileSync(0, 'utf8').trim() : undefined;
      const p: Profile = {};
      const set = (k: Field, v: unknown) => {
        if (typeof v === 'string' && v !== '') p[k] = v;
      };
      set('endpoint', o.endpoint);
      set('project_id', o.projectId);
      set('region', o.region);
      set('access_key', o.accessKey);
      set('secret_key', o.secretKeyStdin ? stdin : o.secretKey);
      set('user', o.user);
      set('password', o.passwordStdin ? stdin : o.password);
      set('domain', o.domain);
      set('operator_key', o.operatorKey);
      if (typeof o.credentialsFile === 'string') p.credentials = path.resolve(o.credentialsFile);
      if (Object.keys(p).length === 0)
        throw new CliError('an empty profile: give --endpoint, keys, or --credentials-file');
      if ((p.access_key === undefined) !== (p.secret_key === undefined)) {
        throw new CliError('give --access-key and --secret-key together');
      }
      const file = configPath();
      const config = readConfig(file);
      config.profiles[name] = p;
      writeConfig(config, file);
      process.stdout.write(`profile ${name} written to ${file}\n`);
    });
  });

  const list = withOutputOptions(profiles.command('list').description('list the profiles (never a secret)'));
  withExample(list, 'vpcep profiles list');
  list.action((o: Record<string, unknown>) => {
    run(() => {
      const out = Output.from(o);
      const { profiles: all } = readConfig();
      const shown = Object.fromEntries(
        Object.entries(all).map(([name, p]) => [
          name,
          Object.fromEntries(Object.entries(p).map(([k, v]) => [k, SECRETS.has(k) ? '***' : v])),
        ]),
      );
      out.result({ profiles: shown }, () =>
        out.table(
          ['NAME', 'ENDPOINT', 'PROJECT', 'AUTH', 'CREDENTIALS FILE'],
          Object.entries(all).map(([name, p]) => [
            name,
            p.endpoint ?? '-',
            p.project_id ?? '-',
            p.access_key ? `aksk ${p.access_key}` : p.user ? `password ${p.user}@${p.domain ?? '?'}` : '-',
            p.credentials ?? '-',
          ]),
          'no profiles',
        ),
      );
    });
  });

  const remove = profiles.command('remove <name>').description('remove a profile');
  withExample(remove, 'vpcep profiles remove prod');
  remove.action((name: string) => {
    run(() => {
      const file = configPath();
      const config = readConfig(file);
      if (!config.profiles[name]) throw new CliError(`no profile "${name}" in ${file}`);
      delete config.profiles[name];
      writeConfig(config, file);
      process.stdout.write(`profile ${name} removed\n`);
    });
  });
}

function run(body: () => void): void {
  try {
    body();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
