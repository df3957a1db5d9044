import type { Command } from 'commander';
import { withExample } from './command.ts';

/** Each command path (' endpoints create') and the words that may follow it: subcommands and long options. */
function wordsByPath(program: Command): [string, string[]][] {
  const out: [string, string[]][] = [];
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    const words = [
      ...subs.flatMap((c) => [c.name(), ...c.aliases()]),
      ...cmd.options.flatMap((o) => (o.long ? [o.long] : [])),
      '--help',
    ];
    out.push([path, words]);
    for (const c of subs) for (const n of [c.name(), ...c.aliases()]) walk(c, `${path} ${n}`);
  };
  walk(program, '');
  return out;
}

/** A bash completion script for the command tree; zsh runs it through bashcompinit. */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const cases = wordsByPath(program)
    .map(([path, words]) => `    "${path}") echo "${words.join(' ')}" ;;`)
    .join('\n');
  const bash = `# vpcep ${shell} completion: eval "$(vpcep completion ${shell})"
_vpcep_words() {
  case "$1" in
${cases}
  esac
}
_vpcep() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ $w == -* ]] && continue
    case " $(_vpcep_words "$path") " in *" $w "*) path="$path $w" ;; esac
  done
  COMPREPLY=($(compgen -W "$(_vpcep_words "$path")" -- "$cur"))
}
complete -F _vpcep vpcep
`;
  if (shell === 'bash') return bash;
  return `autoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

/** `vpcep completion bash|zsh`. */
export function registerCompletionCommand(program: Command): void {
  const cmd = program
    .command('completion <shell>')
    .description('print a shell completion script (bash or zsh) for the command tree');
  withExample(cmd, [
    'eval "$(vpcep completion bash)"   # in ~/.bashrc',
    'eval "$(vpcep completion zsh)"    # in ~/.zshrc',
  ]);
  cmd.action((shell: string) => {
    if (shell !== 'bash' && shell !== 'zsh') {
      process.stderr.write(`error: the shell must be bash or zsh, got "${shell}"\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(completionScript(program, shell));
  });
}
