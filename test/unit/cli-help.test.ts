// Every command of `vpcep` shows an example in its --help (commander addHelpText), and the
// completion script knows every command path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { Command } from 'commander';
import { completionScript } from '../../src/cli/completion.ts';
import { buildProgram } from '../../src/cli/index.ts';

function allCommands(cmd: Command, path = 'vpcep'): [string, Command][] {
  return cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => [
      [`${path} ${c.name()}`, c] as [string, Command],
      ...allCommands(c, `${path} ${c.name()}`),
    ]);
}

function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

test('every command has an example in its --help', () => {
  const commands = allCommands(buildProgram());
  assert.ok(commands.length > 50, `only ${commands.length} commands`);
  const missing = commands
    .filter(
      ([, c]) =>
        !/\nExamples?:\n {2}\$ vpcep /.test(helpOf(c)) && !/\nExamples?:\n {2}\$ eval /.test(helpOf(c)),
    )
    .map(([path]) => path);
  assert.deepEqual(missing, []);
});

test('the bash completion completes every command path and the options of a command', () => {
  const program = buildProgram();
  const script = completionScript(program, 'bash');
  const complete = (words: string[]) => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _vpcep; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split(' ');
  };
  for (const [path, cmd] of allCommands(program).filter(([p]) => p.split(' ').length === 2)) {
    assert.ok(complete(['vpcep', '']).includes(cmd.name()), path);
  }
  assert.deepEqual(complete(['vpcep', 'endpoints', 'create', '--w']).sort(), ['--wait', '--whitelist']);
  assert.ok(complete(['vpcep', 'route-tables', '']).includes('create'));
  assert.ok(complete(['vpcep', '--json', 'routetables', 'show', '--o']).includes('--output'));
  assert.match(completionScript(program, 'zsh'), /^autoload -U \+X bashcompinit && bashcompinit\n/);
});
