import type { DockerfileInstruction } from './analysis.js';
import type { Emit, LintBuilder } from './rules.js';
import { aptInstallArgs, commandName, pipInstallArgs, type ShellCommand } from './shell.js';

/**
 * The rules about what a `RUN` runs: package managers (pip, apt, apk, yum, dnf), `sudo`, `cd`, `useradd`,
 * and BuildKit's cache mounts. hadolint's ids are on the rules in `rules.ts`.
 */
export function checkRunCommands(
  instruction: DockerfileInstruction,
  commands: readonly ShellCommand[],
  builder: LintBuilder,
  emit: Emit,
): void {
  const line = instruction.line;
  for (const command of commands) {
    const name = commandName(command.words[0]);
    if (command.sudo) {
      emit(
        'CS019',
        line,
        `'sudo ${name}' in a RUN: the build already runs as root (or as the USER you chose), and sudo's tty and environment handling makes failures hard to read.`,
        'Drop sudo; switch with USER root before the step and back to the app user after it.',
      );
    }
    if (name === 'cd') {
      emit(
        'CS018',
        line,
        "'cd' in a RUN changes the directory for that RUN only, which later instructions do not see.",
        `Use WORKDIR ${command.words[1] ?? '<dir>'} before the RUN instead of cd.`,
      );
    }
    checkPipPins(command, line, emit);
    checkAptYes(command, line, emit);
    checkApk(command, instruction, line, emit);
    checkRpmManager(command, instruction, line, emit);
    checkUseradd(command, line, emit);
  }
  if (builder !== 'classic') checkCacheMount(instruction, commands, emit);
}

const PIP_OPTIONS_WITH_VALUE = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--python',
  '--cache-dir',
  '--src',
  '--platform',
  '--python-version',
  '--implementation',
  '--abi',
  '--progress-bar',
  '--trusted-host',
  '--no-binary',
  '--only-binary',
  '--global-option',
  '--config-settings',
  '-C',
  '--log',
  '--proxy',
  '--retries',
  '--timeout',
  '--upgrade-strategy',
]);

/** A requirement that names a local path, an archive, a VCS URL or a version: not an unpinned name. */
function isPinnedOrLocal(requirement: string): boolean {
  if (/^[./~$]/.test(requirement) || /^[a-z+]+:\/\//i.test(requirement)) return true;
  if (/\.(whl|tar\.gz|zip|tgz)$/i.test(requirement)) return true;
  return /(==|>=|<=|~=|!=|<|>|@)/.test(requirement);
}

function checkPipPins(command: ShellCommand, line: number, emit: Emit): void {
  const args = pipInstallArgs(command);
  if (!args) return;
  const unpinned = packageWords(args, PIP_OPTIONS_WITH_VALUE).filter((word) => !isPinnedOrLocal(word));
  // Upgrading the installer itself is the usual first step and what hadolint accepts too.
  const packages = unpinned.filter((pkg) => !/^(pip|setuptools|wheel)$/i.test(pkg));
  if (packages.length === 0) return;
  emit(
    'CS022',
    line,
    `pip install does not pin ${packages.join(', ')}, so rebuilds get whatever version is current.`,
    `Pin versions (${packages.map((pkg) => `${pkg}==<version>`).join(' ')}) or install from a requirements file with pinned versions.`,
  );
}

/** `-y`, `--yes`, `--assume-yes`, `-qq`, `-q=2` or a short-flag group containing `y`. */
function assumesYes(words: readonly string[]): boolean {
  return words.some(
    (word) =>
      word === '--yes' || word === '--assume-yes' || word === '-qq' || word === '-q=2' || /^-[a-zA-Z]*y[a-zA-Z]*$/.test(word),
  );
}

function checkAptYes(command: ShellCommand, line: number, emit: Emit): void {
  if (commandName(command.words[0]) !== 'apt-get' || !aptInstallArgs(command)) return;
  if (assumesYes(command.words)) return;
  emit(
    'CS023',
    line,
    'apt-get install without -y waits for a confirmation that never comes in a build, which then fails.',
    'Add -y: apt-get install -y --no-install-recommends ...',
  );
}

function subcommandArgs(command: ShellCommand, subcommand: string): string[] | undefined {
  const index = command.words.indexOf(subcommand, 1);
  return index === -1 ? undefined : command.words.slice(index + 1);
}

function hasCacheMount(instruction: DockerfileInstruction, target: RegExp): boolean {
  return instruction.mounts.some((mount) => /(^|,)type=cache(,|$)/.test(mount) && target.test(mount));
}

function checkApk(command: ShellCommand, instruction: DockerfileInstruction, line: number, emit: Emit): void {
  if (commandName(command.words[0]) !== 'apk') return;
  const args = subcommandArgs(command, 'add');
  if (!args) return;
  const packages = packageWords(args, new Set(['-X', '--repository', '-t', '--virtual', '-p', '--root']));
  const unpinned = packages.filter((pkg) => !pkg.includes('=') && !pkg.endsWith('.apk'));
  if (unpinned.length > 0) {
    emit(
      'CS024',
      line,
      `apk add does not pin ${unpinned.join(', ')}, so rebuilds get whatever version is current.`,
      `Pin versions: ${unpinned.map((pkg) => `${pkg}=<version>`).join(' ')}.`,
    );
  }
  if (!args.includes('--no-cache') && !hasCacheMount(instruction, /target=\/var\/cache\/apk/)) {
    emit(
      'CS025',
      line,
      "apk add without --no-cache keeps the package index in the image's layer.",
      'Add --no-cache to apk add (or use RUN --mount=type=cache,target=/var/cache/apk with BuildKit).',
    );
  }
}

function packageWords(args: readonly string[], optionsWithValue: ReadonlySet<string>): string[] {
  const packages: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word.startsWith('-')) {
      if (optionsWithValue.has(word)) i++;
      continue;
    }
    packages.push(word);
  }
  return packages;
}

/** yum and dnf (and microdnf) share the same three rules under different ids, as hadolint has them. */
const RPM_RULES = {
  yum: { yes: 'CS029', clean: 'CS030', pin: 'CS031' },
  dnf: { yes: 'CS032', clean: 'CS033', pin: 'CS034' },
} as const;

function checkRpmManager(command: ShellCommand, instruction: DockerfileInstruction, line: number, emit: Emit): void {
  const name = commandName(command.words[0]);
  const manager = name === 'yum' ? 'yum' : name === 'dnf' || name === 'microdnf' ? 'dnf' : undefined;
  if (!manager) return;
  const args = subcommandArgs(command, 'install');
  if (!args) return;
  const ids = RPM_RULES[manager];
  if (name !== 'microdnf' && !assumesYes(command.words)) {
    emit(
      ids.yes,
      line,
      `${name} install without -y waits for a confirmation that never comes in a build, which then fails.`,
      `Add -y: ${name} install -y ...`,
    );
  }
  const cleaned =
    new RegExp(`\\b${name}\\s+clean\\s+all\\b`).test(instruction.args) ||
    /\brm\s+(-\w+\s+)*\/var\/cache\/(yum|dnf)/.test(instruction.args) ||
    hasCacheMount(instruction, /target=\/var\/cache\/(yum|dnf)/);
  if (!cleaned) {
    emit(
      ids.clean,
      line,
      `${name} install leaves its package cache in this layer of the image.`,
      `End the same RUN with && ${name} clean all.`,
    );
  }
  const packages = packageWords(args, new Set(['--setopt', '--enablerepo', '--disablerepo', '--installroot', '--releasever']));
  const unpinned = packages.filter((pkg) => !/-\d/.test(pkg) && !pkg.endsWith('.rpm'));
  if (unpinned.length > 0) {
    emit(
      ids.pin,
      line,
      `${name} install does not pin ${unpinned.join(', ')}, so rebuilds get whatever version is current.`,
      `Pin versions: ${unpinned.map((pkg) => `${pkg}-<version>`).join(' ')}.`,
    );
  }
}

function checkUseradd(command: ShellCommand, line: number, emit: Emit): void {
  if (commandName(command.words[0]) !== 'useradd') return;
  const words = command.words;
  if (words.includes('-l') || words.includes('--no-log-init')) return;
  const uidIndex = words.findIndex((w) => w === '-u' || w === '--uid');
  const uid = uidIndex === -1 ? undefined : words[uidIndex + 1];
  const inline = words.find((w) => w.startsWith('--uid='))?.slice('--uid='.length);
  const value = uid ?? inline;
  if (value === undefined || !/^\d{6,}$/.test(value)) return;
  emit(
    'CS035',
    line,
    `useradd with the high UID ${value} and without -l writes a sparse /var/log/faillog and lastlog of gigabytes into the layer.`,
    'Add -l (--no-log-init) to useradd.',
  );
}

const CACHE_TARGETS: Array<{ matches: (command: ShellCommand) => boolean; tool: string; target: string }> = [
  { matches: (c) => pipInstallArgs(c) !== undefined, tool: 'pip', target: '/root/.cache/pip' },
  {
    matches: (c) => commandName(c.words[0]) === 'npm' && ['ci', 'install', 'i'].includes(c.words[1] ?? ''),
    tool: 'npm',
    target: '/root/.npm',
  },
  { matches: (c) => aptInstallArgs(c) !== undefined, tool: 'apt', target: '/var/cache/apt' },
];

/** BuildKit can keep package downloads in a cache that survives rebuilds and never ships. */
function checkCacheMount(instruction: DockerfileInstruction, commands: readonly ShellCommand[], emit: Emit): void {
  if (instruction.mounts.some((mount) => /(^|,)type=cache(,|$)/.test(mount))) return;
  const found = CACHE_TARGETS.find((entry) => commands.some(entry.matches));
  if (!found) return;
  const extra = found.tool === 'pip' ? ' (and drop --no-cache-dir)' : found.tool === 'apt' ? ' (and one for /var/lib/apt)' : '';
  emit(
    'CS043',
    instruction.line,
    `${found.tool} downloads everything again on each rebuild of this step; BuildKit can keep its downloads in a cache mount that never ships in the image.`,
    `Use RUN --mount=type=cache,target=${found.target} ...${extra}; the classic builder cannot, so keep this step as it is there.`,
  );
}
