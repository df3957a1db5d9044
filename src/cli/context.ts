import fs from 'node:fs';
import { Option, type Command, type OptionValues } from 'commander';
import { VpcepClient, type Credentials } from '../sdk/client.ts';
import { VpcepError, VpcepNetworkError } from '../sdk/errors.ts';
import { OperatorClient } from '../sdk/operator.ts';
import { applyQuery, parseQuery, toYaml } from './format.ts';
import { selectedProfile } from './profiles.ts';

/** Exit codes of the client commands (README, "CLI"). */
export const EXIT = {
  ok: 0,
  /** The call failed: an API error, an unreachable server, unusable credentials. */
  error: 1,
  /** The call succeeded but some route tables failed (`endpoints set-routetables`). */
  partial: 3,
  /** `--wait` ran out of time before the resource left its transitional state. */
  timeout: 4,
} as const;

export const DEFAULT_CREDENTIALS = './data/credentials.json';

/** What `vpcep serve` writes on first start (service/bootstrap.ts). */
export interface CredentialsFile {
  endpoint?: string;
  region?: string;
  domain?: string;
  user?: string;
  project_id: string;
  password?: string;
  access_key?: string;
  secret_key?: string;
  /** The operator API's key, when bootstrap generated it. */
  operator_key?: string;
}

interface ClientFlags {
  credentials: string;
  profile?: string;
  endpoint?: string;
  auth: 'auto' | 'aksk' | 'password';
  output?: string;
  json?: boolean;
  query?: string;
}

/** A failure the CLI explains itself (bad flags, unusable credentials file). */
export class CliError extends Error {
  /** The exit code when not EXIT.error. */
  exitCode?: number;
}

/**
 * The connection values of a command, by precedence: flags (--endpoint, --credentials given on the
 * command line) > environment (VPCEP_CREDENTIALS) > the profile (--profile, VPCEP_PROFILE) > the
 * credentials file (the profile's `credentials`, else ./data/credentials.json). A profile that
 * names no file stands alone. `label` names where the values came from, for messages.
 */
function resolveValues(
  cmd: Command,
  flags: { credentials: string; profile?: string },
): { values: Partial<CredentialsFile>; label: string; file: string | undefined } {
  const chosen = selectedProfile(flags.profile);
  const source = cmd.getOptionValueSource('credentials');
  const explicit = source === 'cli' || source === 'env';
  const file = explicit ? flags.credentials : chosen ? chosen.profile.credentials : flags.credentials;
  const fromFile = file !== undefined ? readCredentialStrings(file) : {};
  const { credentials: _file, ...fromProfile } = chosen?.profile ?? {};
  const values = explicit ? { ...fromProfile, ...fromFile } : { ...fromFile, ...fromProfile };
  const label =
    chosen && !(explicit && file !== undefined)
      ? `profile "${chosen.name}"${file !== undefined ? ` (with credentials file ${file})` : ''}`
      : `credentials file ${file}`;
  return { values, label, file };
}

/** The file's string fields, none of them required. */
function readCredentialStrings(file: string): Partial<CredentialsFile> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(
      `cannot read credentials file ${file} (${code}); start the server once with \`vpcep serve\` ` +
        'to create it, or pass --credentials <file>',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a secret.
    throw new CliError(`credentials file ${file} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`credentials file ${file} must hold a JSON object`);
  }
  const o = parsed as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of [
    'endpoint',
    'region',
    'domain',
    'user',
    'project_id',
    'password',
    'access_key',
    'secret_key',
    'operator_key',
  ]) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new CliError(`credentials file ${file}: "${key}" must be a string`);
    out[key] = v;
  }
  return out;
}

function pickCredentials(label: string, c: Partial<CredentialsFile>, auth: ClientFlags['auth']): Credentials {
  const aksk = c.access_key && c.secret_key ? { ak: c.access_key, sk: c.secret_key } : undefined;
  const password =
    c.user && c.password && c.domain ? { user: c.user, password: c.password, domain: c.domain } : undefined;
  if (auth === 'aksk' || (auth === 'auto' && aksk)) {
    if (!aksk) throw new CliError(`${label} has no "access_key" and "secret_key"`);
    return aksk;
  }
  if (!password) {
    throw new CliError(`${label} has neither "access_key"/"secret_key" nor "user"/"password"/"domain"`);
  }
  return password;
}

/** The output formats of `--output`. */
export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

/** The output flags every command takes (`--output`, its alias `--json`, `--query`). */
interface OutputFlags {
  output?: string;
  json?: boolean;
  query?: string;
}

/**
 * Output of one command: results on stdout, warnings and failures on stderr. Every command hands
 * its answer to `result` with a renderer for the table format; `--output json|yaml` prints the
 * answer itself and `--query` picks a part of it, whatever the format.
 */
export class Output {
  constructor(
    readonly format: Format,
    readonly query?: string,
  ) {
    // Checked before the call, so a bad query fails before anything changes.
    if (query !== undefined) parseQuery(query);
  }

  /** From the flags: `--output`, else `--json`, else `VPCEP_OUTPUT` (commander), else table on a terminal and JSON when piped. */
  static from(flags: OutputFlags): Output {
    let format = flags.output as Format | undefined;
    if (flags.json) format = 'json';
    format ??= process.stdout.isTTY ? 'table' : 'json';
    try {
      return new Output(format, flags.query);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }

  /** Whether the answer is printed as it is (json, yaml) rather than as a table. */
  get structured(): boolean {
    return this.format !== 'table';
  }

  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  }

  warn(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The answer in the chosen format; `table` renders it for people. */
  result(value: unknown, table: () => void): void {
    if (this.query !== undefined) {
      const picked = applyQuery(value, this.query);
      if (this.format === 'table') return this.#plain(picked);
      return this.raw(picked ?? null);
    }
    if (this.format === 'table') return table();
    this.raw(value);
  }

  /** A command whose answer is empty (a 204): the message for people, nothing for scripts. */
  done(message: string): void {
    if (!this.structured && this.query === undefined) this.line(message);
  }

  /** The value as JSON or YAML. */
  raw(value: unknown): void {
    if (this.format === 'yaml') process.stdout.write(toYaml(value));
    else this.line(JSON.stringify(value, null, 2));
  }

  /** A queried value for people: a scalar as it is, a list of scalars one per line, the rest as JSON. */
  #plain(v: unknown): void {
    if (v === undefined || v === null) return;
    const items = Array.isArray(v) ? v : [v];
    if (items.every((x) => x === null || typeof x !== 'object')) {
      for (const x of items) this.line(String(x));
    } else this.line(JSON.stringify(v, null, 2));
  }

  /** Columns padded to their widest cell; `empty` when there are no rows. */
  table(header: string[], rows: string[][], empty: string): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    this.line(fmt(header));
    for (const r of rows) this.line(fmt(r));
  }

  /** `name  value` pairs, names aligned. */
  fields(pairs: [string, string][]): void {
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`${k.padEnd(width)}  ${v}`);
  }
}

/** `--output`, `--json`, `--query`: on every client and operator command. */
export function withOutputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-o, --output <format>', 'table (default on a terminal), json (default when piped) or yaml')
        .choices(FORMATS)
        .env('VPCEP_OUTPUT'),
    )
    .option('--json', 'the same as --output json')
    .option('--query <path>', 'print only this part of the JSON answer, e.g. endpoints[*].id');
}

export interface Context {
  client: VpcepClient;
  out: Output;
  /** The access key the client signs with, when it uses AK/SK. */
  accessKey: string | undefined;
  credentialsPath: string;
}

/** The options every client command takes. */
export function withClientOptions(cmd: Command): Command {
  return withOutputOptions(cmd)
    .addOption(
      new Option('--credentials <file>', 'credentials file written by `vpcep serve`')
        .env('VPCEP_CREDENTIALS')
        .default(DEFAULT_CREDENTIALS),
    )
    .addOption(
      new Option('--profile <name>', 'a profile of `vpcep profiles` (flags still win over it)').env(
        'VPCEP_PROFILE',
      ),
    )
    .option('--endpoint <url>', "API endpoint (default: the profile's or the credentials file's endpoint)")
    .addOption(
      new Option('--auth <method>', 'aksk signs each request; password logs in for a token')
        .choices(['auto', 'aksk', 'password'])
        .default('auto'),
    );
}

function contextFor(cmd: Command, flags: ClientFlags): Context {
  const { values, label, file } = resolveValues(cmd, flags);
  if (!values.project_id) throw new CliError(`${label} has no "project_id"`);
  const endpoint = flags.endpoint ?? values.endpoint;
  if (!endpoint) throw new CliError(`no endpoint: pass --endpoint or set "endpoint" in the ${label}`);
  const credentials = pickCredentials(label, values, flags.auth);
  let client: VpcepClient;
  try {
    client = new VpcepClient({ endpoint, projectId: values.project_id, credentials });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return {
    client,
    out: Output.from(flags),
    accessKey: 'ak' in credentials ? credentials.ak : undefined,
    credentialsPath: file ?? label,
  };
}

/** `error <code>: <message> (request <id>)` for API errors, `error: <message>` for the rest. */
export function describeError(e: unknown): string {
  if (e instanceof VpcepError) {
    return `error ${e.code}: ${e.message}${e.requestId ? ` (request ${e.requestId})` : ''}`;
  }
  if (e instanceof VpcepNetworkError || e instanceof CliError) return `error: ${e.message}`;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * A commander action for a client command: builds the context from the flags, runs the handler with
 * the positional arguments, and turns its result or failure into the exit code.
 */
export function clientAction<A extends unknown[] = []>(
  handler: (ctx: Context, opts: Record<string, unknown>, ...args: A) => Promise<number | void>,
) {
  return commandAction<A>((cmd, opts, args) => handler(contextFor(cmd, opts as ClientFlags), opts, ...args));
}

/** Runs a command's body and turns its result or failure into the exit code. */
function commandAction<A extends unknown[]>(
  body: (cmd: Command, opts: OptionValues, args: A) => Promise<number | void>,
) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw[raw.length - 1] as Command;
    try {
      const code = await body(cmd, cmd.opts(), raw.slice(0, -2) as A);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      process.stderr.write(`${describeError(e)}\n`);
      process.exitCode = e instanceof CliError && e.exitCode !== undefined ? e.exitCode : EXIT.error;
    }
  };
}

// --- The operator's commands (`vpcep accounts ...`) ------------------------------------------------

export interface OperatorContext {
  client: OperatorClient;
  out: Output;
  /** Where the operator key came from, to say which one the server refused. */
  keySource: string;
}

interface OperatorFlags {
  credentials: string;
  profile?: string;
  endpoint?: string;
  operatorKey?: string;
  output?: string;
  json?: boolean;
  query?: string;
}

/** The options of the operator's commands: the operator key instead of a tenant credential. */
export function withOperatorOptions(cmd: Command): Command {
  return withOutputOptions(cmd)
    .addOption(
      new Option('--credentials <file>', 'credentials file written by `vpcep serve` (its "operator_key")')
        .env('VPCEP_CREDENTIALS')
        .default(DEFAULT_CREDENTIALS),
    )
    .addOption(
      new Option('--profile <name>', 'a profile of `vpcep profiles` (flags still win over it)').env(
        'VPCEP_PROFILE',
      ),
    )
    .option('--endpoint <url>', "API endpoint (default: the profile's or the credentials file's endpoint)")
    .addOption(
      new Option(
        '--operator-key <key>',
        'the operator key (default: the credentials file\'s "operator_key")',
      ).env('VPCEP_OPERATOR_KEY'),
    );
}

function operatorContextFor(cmd: Command, flags: OperatorFlags): OperatorContext {
  let endpoint = flags.endpoint;
  // An empty value (VPCEP_OPERATOR_KEY=) is no key.
  let key = flags.operatorKey || undefined;
  const source = cmd.getOptionValueSource('operatorKey');
  let keySource = source === 'env' ? 'VPCEP_OPERATOR_KEY' : '--operator-key';
  // The file is read only for what the command line left out.
  let where = flags.credentials;
  if (endpoint === undefined || key === undefined) {
    const { values, label, file } = resolveValues(cmd, flags);
    where = file !== undefined && label.startsWith('credentials file') ? file : label;
    endpoint ??= values.endpoint;
    if (key === undefined) {
      key = values.operator_key;
      keySource = `"operator_key" in ${where}`;
    }
    if (key === undefined) {
      throw new CliError(
        `no operator key: ${where} has no "operator_key" (a server started with ` +
          'VPCEP_OPERATOR_KEY writes none); pass --operator-key or set VPCEP_OPERATOR_KEY',
      );
    }
  }
  if (!endpoint) throw new CliError(`no endpoint: pass --endpoint or set "endpoint" in ${where}`);
  let client: OperatorClient;
  try {
    client = new OperatorClient({ endpoint, operatorKey: key });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return { client, out: Output.from(flags), keySource };
}

/** clientAction for the operator's commands. */
export function operatorAction<A extends unknown[] = []>(
  handler: (ctx: OperatorContext, opts: Record<string, unknown>, ...args: A) => Promise<number | void>,
) {
  return commandAction<A>((cmd, opts, args) =>
    handler(operatorContextFor(cmd, opts as OperatorFlags), opts, ...args),
  );
}
