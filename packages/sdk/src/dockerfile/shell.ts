/**
 * Just enough shell parsing for lint rules: split a `RUN` line into simple commands and words,
 * respecting quotes, so `echo "a && b"` is one command and `a | b` is a pipe.
 */

export interface ShellCommand {
  /** Words after leading `VAR=value` assignments and `sudo`, quotes removed. */
  words: string[];
  /** The operator that joins this command to the next one: `&&`, `||`, `;`, `|`, or undefined at the end. */
  next: string | undefined;
  /** Set when the command ran under `sudo` (stripped from `words`). */
  sudo?: true;
}

export function parseShellCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;

  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (operator: string | undefined): void => {
    endWord();
    const cleaned = stripPrefixes(words);
    if (cleaned.length > 0) {
      const sudo = words.slice(0, words.length - cleaned.length).includes('sudo');
      commands.push(sudo ? { words: cleaned, next: operator, sudo } : { words: cleaned, next: operator });
    } else if (operator && commands.length > 0) {
      const last = commands[commands.length - 1];
      if (last && last.next === undefined) last.next = operator;
    }
    words = [];
  };

  for (let i = 0; i < script.length; i++) {
    const char = script[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < script.length) word += script[++i];
      else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
      continue;
    }
    if (char === '\\' && i + 1 < script.length) {
      const escaped = script[++i] as string;
      if (escaped !== '\n') {
        word += escaped;
        inWord = true;
      }
      continue;
    }
    const two = script.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      endCommand(two);
      i++;
      continue;
    }
    if (char === ';' || char === '|' || char === '\n' || char === '&') {
      endCommand(char === '\n' ? ';' : char);
      continue;
    }
    if (char === ' ' || char === '\t') {
      endWord();
      continue;
    }
    if (char === '#' && !inWord) {
      const newline = script.indexOf('\n', i);
      i = newline === -1 ? script.length : newline - 1;
      continue;
    }
    word += char;
    inWord = true;
  }
  endCommand(undefined);
  return commands;
}

function stripPrefixes(words: string[]): string[] {
  let start = 0;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start] as string)) start++;
  while (start < words.length && (words[start] === 'sudo' || words[start] === 'exec' || words[start] === 'env')) start++;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start] as string)) start++;
  return words.slice(start);
}

/** The basename of a command word: `/opt/venv/bin/pip` -> `pip`. */
export function commandName(word: string | undefined): string {
  if (word === undefined) return '';
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}

const PIP = /^pip(?:\d+(?:\.\d+)?)?$/;
const PYTHON = /^python(?:\d+(?:\.\d+)?)?$/;

/** For `pip install ...` or `python -m pip install ...`: the words after `install`; else undefined. */
export function pipInstallArgs(command: ShellCommand): string[] | undefined {
  const { words } = command;
  let rest: string[];
  if (PIP.test(commandName(words[0]))) rest = words.slice(1);
  else if (PYTHON.test(commandName(words[0]))) {
    const m = words.indexOf('-m');
    if (m === -1 || words[m + 1] !== 'pip') return undefined;
    rest = words.slice(m + 2);
  } else return undefined;
  const install = firstSubcommand(rest, PIP_OPTIONS_WITH_VALUE);
  return install !== undefined && rest[install] === 'install' ? rest.slice(install + 1) : undefined;
}

const PIP_OPTIONS_WITH_VALUE = new Set([
  '--python',
  '--log',
  '--proxy',
  '--retries',
  '--timeout',
  '--cache-dir',
  '--cert',
  '--client-cert',
]);

/** For `apt-get install ...` (or `apt install`): the words after `install`; else undefined. */
export function aptInstallArgs(command: ShellCommand): string[] | undefined {
  const name = commandName(command.words[0]);
  if (name !== 'apt-get' && name !== 'apt') return undefined;
  const rest = command.words.slice(1);
  const install = firstSubcommand(rest, new Set(['-o', '-c', '-t', '--target-release']));
  return install !== undefined && rest[install] === 'install' ? rest.slice(install + 1) : undefined;
}

function firstSubcommand(words: string[], optionsWithValue: ReadonlySet<string>): number | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('-')) return i;
    if (optionsWithValue.has(word)) i++;
  }
  return undefined;
}

/** True when a command installs project dependencies (the step a code change should not re-run). */
export function isDependencyInstall(command: ShellCommand): boolean {
  if (pipInstallArgs(command)) return true;
  const [first, second] = command.words;
  const name = commandName(first);
  switch (name) {
    case 'npm':
      return second === 'install' || second === 'ci' || second === 'i';
    case 'yarn':
      return second === undefined || second === 'install';
    case 'pnpm':
    case 'bundle':
    case 'poetry':
    case 'pipenv':
    case 'composer':
    case 'uv':
      return second === 'install' || second === 'sync' || (name === 'uv' && second === 'pip');
    case 'go':
      return second === 'mod' && command.words[2] === 'download';
    default:
      return false;
  }
}
