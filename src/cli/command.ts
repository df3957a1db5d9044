import type { Command } from 'commander';
import { clientAction, withClientOptions, type Context } from './context.ts';

/**
 * A client command: its name and arguments, what it does, an example for `--help` (every command
 * has one; test/e2e/cli-tree.test.ts walks the tree), options, and the handler.
 */
export function clientCommand<A extends unknown[] = []>(
  parent: Command,
  spec: string,
  summary: string,
  example: string | string[],
  configure: (cmd: Command) => Command,
  handler: (ctx: Context, opts: Record<string, unknown>, ...args: A) => Promise<number | void>,
): Command {
  const cmd = configure(withClientOptions(parent.command(spec).description(summary)));
  withExample(cmd, example);
  cmd.action(clientAction<A>(handler));
  return cmd;
}

const examples = new WeakMap<Command, string[]>();

/** `Example:` lines after the options in `--help`. */
export function withExample(cmd: Command, example: string | string[]): Command {
  const list = Array.isArray(example) ? example : [example];
  examples.set(cmd, list);
  const lines = list.map((e) => `  $ ${e}`);
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.join('\n')}\n`);
}

export const orDash = (text: string | undefined | null) =>
  text === undefined || text === null || text === '' ? '-' : text;
export const listOrDash = (items: readonly string[] | undefined) =>
  items === undefined || items.length === 0 ? '-' : items.join(', ');

/** Repeatable option values, e.g. `--tag a=1 --tag b=2`. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The examples of a command, from withExample. */
export const examplesOf = (cmd: Command): string[] => examples.get(cmd) ?? [];

/** Gives every group command (one with subcommands) the first example of each of its subcommands. */
export function addGroupExamples(cmd: Command): void {
  for (const c of cmd.commands) {
    addGroupExamples(c);
    if (c.commands.length > 0 && !examples.has(c)) {
      const list = c.commands.flatMap((sub) => examplesOf(sub).slice(0, 1));
      if (list.length > 0) withExample(c, list);
    }
  }
}
