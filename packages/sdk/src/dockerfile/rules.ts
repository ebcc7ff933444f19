import { DockerignoreMatcher } from '../build/dockerignore.js';
import { isSecretName } from '../secret-name.js';
import type { DockerfileAnalysis, DockerfileInstruction, DockerfileStage } from './analysis.js';
import { checkRunCommands } from './package-rules.js';
import { aptInstallArgs, isDependencyInstall, parseShellCommands, pipInstallArgs, type ShellCommand } from './shell.js';
import { checkStructure } from './structure-rules.js';

export type LintSeverity = 'error' | 'warning' | 'info';

/** One rule: a stable id (never reused), the hadolint rule it matches where one does, and its help. */
export interface LintRule {
  id: string;
  /** The hadolint rule this one corresponds to, when it checks the same thing. */
  hadolint?: string;
  name: string;
  severity: LintSeverity;
  /** One line: what the rule checks. */
  summary: string;
  /** Why it matters and how to fix it (SARIF help, docs). */
  help: string;
}

export interface LintFinding {
  id: string;
  severity: LintSeverity;
  /** 1-based line in `file` (the Dockerfile unless the finding says otherwise). */
  line: number;
  message: string;
  fix: string;
  hadolint?: string;
  /** Set when the finding is about another file than the Dockerfile (the `.dockerignore`). */
  file?: string;
}

export const LINT_RULES = [
  {
    id: 'CS001',
    hadolint: 'DL3006',
    name: 'untagged-base-image',
    severity: 'warning',
    summary: 'Base image without a tag.',
    help: 'An untagged FROM means `latest`, which changes under you; pin a version tag such as `python:3.11-slim` (or a digest).',
  },
  {
    id: 'CS002',
    hadolint: 'DL3007',
    name: 'latest-base-image',
    severity: 'warning',
    summary: 'Base image tagged `latest`.',
    help: '`latest` moves with every upstream release, so two builds of the same commit differ; pin a version tag.',
  },
  {
    id: 'CS003',
    hadolint: 'DL3042',
    name: 'pip-cache',
    severity: 'warning',
    summary: '`pip install` without `--no-cache-dir` in a stage that ships.',
    help: 'pip keeps downloaded wheels in /root/.cache/pip, which then ships in the image layer; add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`).',
  },
  {
    id: 'CS004',
    hadolint: 'DL3008',
    name: 'apt-unpinned',
    severity: 'warning',
    summary: '`apt-get install` without pinned versions.',
    help: 'Unpinned packages make rebuilds install whatever is current; pin with `package=version`.',
  },
  {
    id: 'CS005',
    hadolint: 'DL3015',
    name: 'apt-recommends',
    severity: 'info',
    summary: '`apt-get install` without `--no-install-recommends`.',
    help: 'Recommended packages are rarely needed at run time and add megabytes; add `--no-install-recommends`.',
  },
  {
    id: 'CS006',
    hadolint: 'DL3009',
    name: 'apt-lists',
    severity: 'warning',
    summary: '`apt-get update` whose lists stay in the image.',
    help: 'The package lists from `apt-get update` (tens of MB) ship unless removed in the same RUN; end it with `&& rm -rf /var/lib/apt/lists/*`.',
  },
  {
    id: 'CS007',
    name: 'cache-busting-order',
    severity: 'warning',
    summary: 'Dependencies installed after `COPY .`.',
    help: 'Any source change invalidates the layer cache from `COPY .` on, so every build reinstalls all dependencies; copy the dependency manifest (requirements.txt, package.json...) first, install, then copy the rest.',
  },
  {
    id: 'CS008',
    hadolint: 'DL3002',
    name: 'root-user',
    severity: 'warning',
    summary: 'The final stage runs as root.',
    help: 'A process running as root in the container is root on the host if it escapes; create a user and switch to it with `USER` in the final stage.',
  },
  {
    id: 'CS009',
    hadolint: 'DL3025',
    name: 'shell-form-cmd',
    severity: 'warning',
    summary: 'Shell-form `CMD` or `ENTRYPOINT`.',
    help: 'Shell form runs the process under `/bin/sh -c`, which does not forward SIGTERM, so `docker stop` waits and kills it; use the exec form `["executable", "arg"]`.',
  },
  {
    id: 'CS010',
    hadolint: 'DL3020',
    name: 'add-instead-of-copy',
    severity: 'error',
    summary: '`ADD` for plain files or folders.',
    help: '`ADD` also fetches URLs and unpacks archives, which is surprising for plain files; use `COPY`.',
  },
  {
    id: 'CS011',
    hadolint: 'DL4006',
    name: 'pipe-without-pipefail',
    severity: 'warning',
    summary: 'Piped `RUN` without `pipefail`.',
    help: 'In `/bin/sh` a pipe succeeds when its last command does, so `curl ... | sh` hides a failed download; add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN or `set -o pipefail &&` in it.',
  },
  {
    id: 'CS012',
    name: 'secret-in-env-or-arg',
    severity: 'error',
    summary: 'A secret-looking name in `ENV` or `ARG`.',
    help: 'ENV values are stored in the image config and ARG values in its history, where anyone who pulls the image can read them; pass secrets at run time (environment, mounted file) and never bake them in.',
  },
  {
    id: 'CS013',
    name: 'smoke-port-not-exposed',
    severity: 'warning',
    summary: 'The port the smoke test uses is not exposed.',
    help: 'Without `EXPOSE`, tools and readers cannot tell which port the service listens on; add `EXPOSE <port>` to the final stage.',
  },
  {
    id: 'CS014',
    hadolint: 'DL3057',
    name: 'no-healthcheck',
    severity: 'info',
    summary: 'No `HEALTHCHECK` in the final image.',
    help: 'Without a healthcheck the engine reports a hung service as running; add `HEALTHCHECK CMD ...` that requests the service (e.g. with python -c urllib or curl).',
  },
  {
    id: 'CS015',
    name: 'no-dockerignore',
    severity: 'warning',
    summary: 'No `.dockerignore` in the build context.',
    help: 'Without it the whole directory (.git, virtualenvs, .env with secrets) is sent to the engine and can end up in the image through `COPY .`; add a `.dockerignore`.',
  },
  {
    id: 'CS016',
    name: 'dockerignore-incomplete',
    severity: 'warning',
    summary: '`.dockerignore` does not exclude `.git`, `node_modules`, `__pycache__`, `.venv` or `.env`.',
    help: 'These are large, machine-specific or secret; list each of them in `.dockerignore`.',
  },
  {
    id: 'CS017',
    hadolint: 'DL3000',
    name: 'relative-workdir',
    severity: 'warning',
    summary: '`WORKDIR` with a relative path.',
    help: 'A relative WORKDIR depends on every WORKDIR before it and on the base image; use an absolute path.',
  },
  {
    id: 'CS018',
    hadolint: 'DL3003',
    name: 'cd-in-run',
    severity: 'warning',
    summary: '`cd` inside a `RUN`.',
    help: '`cd` lasts only for its RUN, and later instructions do not see it; use `WORKDIR`.',
  },
  {
    id: 'CS019',
    hadolint: 'DL3004',
    name: 'sudo',
    severity: 'error',
    summary: '`sudo` inside a `RUN`.',
    help: 'Builds run as root (or the USER you set); sudo adds tty and environment surprises. Switch with `USER` around the step instead.',
  },
  {
    id: 'CS020',
    hadolint: 'DL3011',
    name: 'invalid-port',
    severity: 'error',
    summary: '`EXPOSE` of something that is not a port.',
    help: 'Ports are numbers from 0 to 65535, optionally with /tcp, /udp or /sctp.',
  },
  {
    id: 'CS021',
    hadolint: 'DL3012',
    name: 'multiple-healthchecks',
    severity: 'error',
    summary: 'More than one `HEALTHCHECK` in a stage.',
    help: 'Only the last HEALTHCHECK counts; keep one.',
  },
  {
    id: 'CS022',
    hadolint: 'DL3013',
    name: 'pip-unpinned',
    severity: 'warning',
    summary: '`pip install` of packages without a version.',
    help: 'Unpinned packages make rebuilds install whatever is current; pin with `name==version` or use a requirements file with pins.',
  },
  {
    id: 'CS023',
    hadolint: 'DL3014',
    name: 'apt-get-no-yes',
    severity: 'warning',
    summary: '`apt-get install` without `-y`.',
    help: 'Without -y apt-get waits for a confirmation that never comes, and the build fails.',
  },
  {
    id: 'CS024',
    hadolint: 'DL3018',
    name: 'apk-unpinned',
    severity: 'warning',
    summary: '`apk add` without pinned versions.',
    help: 'Unpinned packages make rebuilds install whatever is current; pin with `package=version`.',
  },
  {
    id: 'CS025',
    hadolint: 'DL3019',
    name: 'apk-no-cache',
    severity: 'info',
    summary: '`apk add` without `--no-cache`.',
    help: 'Without --no-cache the package index stays in the layer; add `--no-cache` (or a BuildKit cache mount on /var/cache/apk).',
  },
  {
    id: 'CS026',
    hadolint: 'DL3022',
    name: 'copy-from-unknown-stage',
    severity: 'warning',
    summary: '`COPY --from` names no stage defined before it.',
    help: 'A bare name that is not an earlier stage is pulled as an image; name an earlier stage (`FROM ... AS name`).',
  },
  {
    id: 'CS027',
    hadolint: 'DL3023',
    name: 'copy-from-own-stage',
    severity: 'error',
    summary: '`COPY --from` names its own stage.',
    help: 'A stage cannot copy from itself; copy from an earlier stage.',
  },
  {
    id: 'CS028',
    hadolint: 'DL3024',
    name: 'duplicate-stage-name',
    severity: 'error',
    summary: 'Two stages with the same name.',
    help: '`--target` and `COPY --from` become ambiguous; give each stage its own name.',
  },
  {
    id: 'CS029',
    hadolint: 'DL3030',
    name: 'yum-no-yes',
    severity: 'warning',
    summary: '`yum install` without `-y`.',
    help: 'Without -y yum waits for a confirmation that never comes, and the build fails.',
  },
  {
    id: 'CS030',
    hadolint: 'DL3032',
    name: 'yum-clean',
    severity: 'warning',
    summary: '`yum install` without `yum clean all`.',
    help: 'yum leaves its cache in the layer; end the RUN with `&& yum clean all`.',
  },
  {
    id: 'CS031',
    hadolint: 'DL3033',
    name: 'yum-unpinned',
    severity: 'warning',
    summary: '`yum install` without pinned versions.',
    help: 'Pin with `package-version`.',
  },
  {
    id: 'CS032',
    hadolint: 'DL3038',
    name: 'dnf-no-yes',
    severity: 'warning',
    summary: '`dnf install` without `-y`.',
    help: 'Without -y dnf waits for a confirmation that never comes, and the build fails.',
  },
  {
    id: 'CS033',
    hadolint: 'DL3040',
    name: 'dnf-clean',
    severity: 'warning',
    summary: '`dnf install` without `dnf clean all`.',
    help: 'dnf leaves its cache in the layer; end the RUN with `&& dnf clean all`.',
  },
  {
    id: 'CS034',
    hadolint: 'DL3041',
    name: 'dnf-unpinned',
    severity: 'warning',
    summary: '`dnf install` without pinned versions.',
    help: 'Pin with `package-version`.',
  },
  {
    id: 'CS035',
    hadolint: 'DL3046',
    name: 'useradd-high-uid',
    severity: 'warning',
    summary: '`useradd` with a long UID and without `-l`.',
    help: 'useradd writes /var/log/faillog and lastlog sized by the UID (gigabytes for a long one); add `-l`.',
  },
  {
    id: 'CS036',
    hadolint: 'DL4000',
    name: 'maintainer',
    severity: 'error',
    summary: '`MAINTAINER` is deprecated.',
    help: 'Use `LABEL org.opencontainers.image.authors=...`.',
  },
  {
    id: 'CS037',
    hadolint: 'DL4003',
    name: 'multiple-cmd',
    severity: 'warning',
    summary: 'More than one `CMD` in a stage.',
    help: 'Only the last CMD counts; keep one.',
  },
  {
    id: 'CS038',
    hadolint: 'DL4004',
    name: 'multiple-entrypoint',
    severity: 'error',
    summary: 'More than one `ENTRYPOINT` in a stage.',
    help: 'Only the last ENTRYPOINT counts; keep one.',
  },
  {
    id: 'CS039',
    name: 'buildkit-syntax-on-classic',
    severity: 'error',
    summary: 'BuildKit-only syntax (`RUN --mount`, `--network`, `COPY --chmod`/`--link`...) under the classic builder.',
    help: 'The classic builder fails on these flags; build with BuildKit (`--builder buildkit` or `auto` on a Docker engine) or drop them.',
  },
  {
    id: 'CS040',
    name: 'heredoc',
    severity: 'error',
    summary: 'A heredoc (`RUN <<EOF`).',
    help: "Heredocs need the Dockerfile 1.4 frontend; this engine's built-in BuildKit frontend and the classic builder read the lines after it as instructions. Use `&&` with line continuations or COPY a script.",
  },
  {
    id: 'CS041',
    name: 'credentials-in-value',
    severity: 'error',
    summary: 'A URL with a password (`postgres://user:pass@...`) in `ENV`, `ARG`, `LABEL`, `ADD` or `RUN`.',
    help: 'Such values are stored in the image config or history for anyone who pulls it; pass them at run time, or as a build secret (`RUN --mount=type=secret`).',
  },
  {
    id: 'CS042',
    name: 'test-stage-unreachable',
    severity: 'warning',
    summary: 'A stage named like a test stage that the target does not use.',
    help: 'BuildKit builds only the stages the target needs, so its tests silently stop running; make a later stage copy from it.',
  },
  {
    id: 'CS043',
    name: 'cache-mount',
    severity: 'info',
    summary: 'A pip, npm or apt install without a BuildKit cache mount.',
    help: '`RUN --mount=type=cache,target=/root/.cache/pip` (or /root/.npm, /var/cache/apt) keeps downloads across rebuilds and out of the image; the classic builder cannot use it.',
  },
] as const satisfies readonly LintRule[];

export type LintRuleId = (typeof LINT_RULES)[number]['id'];

const RULES_BY_ID = new Map<string, LintRule>(LINT_RULES.map((rule) => [rule.id, rule]));

export function lintRule(id: string): LintRule | undefined {
  return RULES_BY_ID.get(id);
}

/** The builder that will run the Dockerfile: `auto` is BuildKit on a Docker engine. */
export type LintBuilder = 'auto' | 'buildkit' | 'classic';

/** What the rules see: the analysis, the text lines, and facts about the build context. */
export interface LintInput {
  analysis: DockerfileAnalysis;
  /** Which builder runs it (default `auto`): some rules only apply to one of them. */
  builder?: LintBuilder | undefined;
  /** The stage built (`--target`); default the final stage. */
  target?: string | undefined;
  /** The port the smoke test requests; checked against EXPOSE when given. */
  smokePort?: number | undefined;
  /** `.dockerignore` content; `null` when the context has none; undefined when not checked. */
  dockerignore?: string | null | undefined;
  /** Where the `.dockerignore` is (or would be), for findings about it. */
  dockerignorePath?: string | undefined;
}

export type Emit = (id: LintRuleId, line: number, message: string, fix: string, file?: string) => void;

export const REQUIRED_DOCKERIGNORE_ENTRIES = ['.git', 'node_modules', '__pycache__', '.venv', '.env'] as const;

/** Runs every rule; returns findings in line order (before ignores are applied). */
export function runLintRules(input: LintInput): LintFinding[] {
  const findings: LintFinding[] = [];
  const emit: Emit = (id, line, message, fix, file) => {
    const rule = RULES_BY_ID.get(id) as LintRule;
    const finding: LintFinding = { id, severity: rule.severity, line, message, fix };
    if (rule.hadolint) finding.hadolint = rule.hadolint;
    if (file) finding.file = file;
    findings.push(finding);
  };
  const { analysis } = input;
  const shipped = shippedStages(analysis);
  const builder = input.builder ?? 'auto';

  for (const stage of analysis.stages) {
    checkBaseImage(stage, analysis, emit);
    checkStageInstructions(stage, shipped.has(stage.index), builder, emit);
  }
  checkStructure(analysis, builder, input.target, emit);
  checkFinalStage(input, emit);
  checkDockerignore(input, emit);
  return findings.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line || a.id.localeCompare(b.id));
}

/** The final stage and the stages it builds `FROM`: their layers are the image's layers. */
function shippedStages(analysis: DockerfileAnalysis): Set<number> {
  const shipped = new Set<number>();
  let stage = analysis.finalStage;
  while (stage && !shipped.has(stage.index)) {
    shipped.add(stage.index);
    stage = stage.baseStage === undefined ? undefined : analysis.stages[stage.baseStage];
  }
  return shipped;
}

function checkBaseImage(stage: DockerfileStage, analysis: DockerfileAnalysis, emit: Emit): void {
  const image = stage.baseImage;
  if (stage.baseStage !== undefined || image === '' || image.toLowerCase() === 'scratch' || image.includes('$')) return;
  if (analysis.stages.some((s) => s.index < stage.index && s.name === image.toLowerCase())) return;
  if (image.includes('@')) return;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon === -1) {
    emit(
      'CS001',
      stage.line,
      `Base image '${image}' has no tag, so it means 'latest' and changes under you.`,
      `Pin a version: FROM ${image}:<version>.`,
    );
  } else if (lastSegment.slice(colon + 1) === 'latest') {
    emit(
      'CS002',
      stage.line,
      `Base image '${image}' uses the 'latest' tag, which moves with every upstream release.`,
      `Pin a version tag instead of 'latest'.`,
    );
  }
}

interface RunContext {
  pipefailShell: boolean;
  pipNoCacheEnv: boolean;
  copiedContextAt: number | undefined;
  /** A dependency install ran before `COPY .` in this stage (so a later project install is the right order). */
  dependenciesInstalled: boolean;
  builder: LintBuilder;
}

function checkStageInstructions(stage: DockerfileStage, shipped: boolean, builder: LintBuilder, emit: Emit): void {
  const context: RunContext = {
    pipefailShell: false,
    pipNoCacheEnv: false,
    copiedContextAt: undefined,
    dependenciesInstalled: false,
    builder,
  };
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'SHELL':
        context.pipefailShell = /pipefail/.test(instruction.args);
        break;
      case 'ENV':
      case 'ARG':
        if (instruction.keyword === 'ENV' && /\bPIP_NO_CACHE_DIR\b\s*[= ]\s*["']?(1|true|yes|on)/i.test(instruction.args)) {
          context.pipNoCacheEnv = true;
        }
        checkSecretNames(instruction, context.builder, emit);
        break;
      case 'COPY':
      case 'ADD':
        if (instruction.flags.from === undefined && copiesWholeContext(instruction)) context.copiedContextAt ??= instruction.line;
        if (instruction.keyword === 'ADD') checkAdd(instruction, emit);
        break;
      case 'RUN':
        checkRun(instruction, context, shipped, emit);
        break;
      case 'CMD':
      case 'ENTRYPOINT':
        if (!instruction.execForm && instruction.args.trim() !== '') {
          emit(
            'CS009',
            instruction.line,
            `${instruction.keyword} is in shell form, so the process runs under /bin/sh and does not get SIGTERM on 'docker stop'.`,
            `Use the exec form: ${instruction.keyword} ${JSON.stringify(splitForExecForm(instruction.args))}.`,
          );
        }
        break;
    }
  }
}

function splitForExecForm(args: string): string[] {
  return parseShellCommands(args)[0]?.words ?? [args.trim()];
}

function copiesWholeContext(instruction: DockerfileInstruction): boolean {
  const words = instruction.args.trim().split(/\s+/);
  const sources = words.slice(0, -1);
  return sources.some((source) => source === '.' || source === './' || source === '*');
}

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

function checkAdd(instruction: DockerfileInstruction, emit: Emit): void {
  const sources = instruction.args.trim().split(/\s+/).slice(0, -1);
  if (sources.length === 0) return;
  const plain = sources.every(
    (source) => !/^(https?|git):\/\//.test(source) && !source.startsWith('git@') && !ARCHIVE.test(source),
  );
  if (plain) {
    emit(
      'CS010',
      instruction.line,
      'ADD copies plain files here, which COPY does without ADD’s URL fetching and archive unpacking.',
      'Replace ADD with COPY.',
    );
  }
}

function checkSecretNames(instruction: DockerfileInstruction, builder: LintBuilder, emit: Emit): void {
  const names = propertyNames(instruction);
  for (const name of names) {
    if (!isSecretName(name)) continue;
    const where = instruction.keyword === 'ENV' ? 'the image config' : 'the image history';
    emit(
      'CS012',
      instruction.line,
      `${instruction.keyword} ${name} looks like a secret, and its value is stored in ${where} for anyone who pulls the image.`,
      instruction.keyword === 'ARG' && builder !== 'classic'
        ? `Pass it as a build secret instead (ship build --secret id=${name.toLowerCase()},env=${name}) and read it in the step with RUN --mount=type=secret,id=${name.toLowerCase()}.`
        : 'Pass the secret at run time (environment or a mounted file) instead of baking it into the image.',
    );
  }
}

function propertyNames(instruction: DockerfileInstruction): string[] {
  const args = instruction.args.trim();
  if (instruction.keyword === 'ARG') return [args.split('=')[0] ?? ''].filter(Boolean);
  // ENV key value (legacy form: one pair) or ENV k1=v1 k2=v2.
  const first = /^([^\s=]+)(=|\s|$)/.exec(args);
  if (!first) return [];
  if (first[2] !== '=') return [first[1] as string];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)=/g)].map((m) => m[1] as string);
}

function runCommands(instruction: DockerfileInstruction): ShellCommand[] {
  if (instruction.execForm) {
    const [first, second, third] = instruction.execForm;
    if (third !== undefined && second === '-c' && /(^|\/)(ba|da|z)?sh$/.test(first ?? '')) return parseShellCommands(third);
    return [{ words: instruction.execForm, next: undefined }];
  }
  return parseShellCommands(instruction.args);
}

function checkRun(instruction: DockerfileInstruction, context: RunContext, shipped: boolean, emit: Emit): void {
  const commands = runCommands(instruction);
  const line = instruction.line;

  const install = commands.find(isDependencyInstall);
  // `pip install --no-deps .` after the dependencies installs only the project: the order docker init uses.
  const projectOnly =
    install !== undefined && isProjectInstall(install) && (context.dependenciesInstalled || install.words.includes('--no-deps'));
  if (install && context.copiedContextAt === undefined) context.dependenciesInstalled = true;
  if (install && !projectOnly && context.copiedContextAt !== undefined) {
    emit(
      'CS007',
      line,
      `'${install.words.slice(0, 2).join(' ')}' runs after 'COPY .' on line ${context.copiedContextAt}, so every code change reinstalls all dependencies.`,
      'Copy only the dependency files (e.g. requirements.txt) first, install, then COPY the rest of the source.',
    );
  }

  if (shipped && !context.pipNoCacheEnv && !instruction.mounts.some((m) => /(^|,)type=cache(,|$)/.test(m))) {
    for (const command of commands) {
      const args = pipInstallArgs(command);
      if (args && !command.words.includes('--no-cache-dir')) {
        emit(
          'CS003',
          line,
          "'pip install' without --no-cache-dir leaves pip's download cache in the image.",
          context.builder === 'classic'
            ? 'Add --no-cache-dir to pip install (or ENV PIP_NO_CACHE_DIR=1).'
            : 'Add --no-cache-dir to pip install (or ENV PIP_NO_CACHE_DIR=1); with BuildKit, RUN --mount=type=cache,target=/root/.cache/pip keeps the cache for rebuilds and out of the image.',
        );
        break;
      }
    }
  }

  for (const command of commands) {
    const args = aptInstallArgs(command);
    if (!args) continue;
    const packages = args.filter((word) => !word.startsWith('-'));
    const unpinned = packages.filter((pkg) => !pkg.includes('=') && !pkg.endsWith('.deb'));
    if (unpinned.length > 0) {
      emit(
        'CS004',
        line,
        `apt-get install does not pin ${unpinned.join(', ')}, so rebuilds get whatever version is current.`,
        `Pin versions: ${unpinned.map((pkg) => `${pkg}=<version>`).join(' ')}.`,
      );
    }
    if (!args.includes('--no-install-recommends')) {
      emit(
        'CS005',
        line,
        'apt-get install without --no-install-recommends also installs recommended packages.',
        'Add --no-install-recommends.',
      );
    }
  }

  const updates = commands.some((c) => /^apt(-get)?$/.test(c.words[0] ?? '') && c.words.includes('update'));
  const listsMounted = instruction.mounts.some((m) => /(^|,)type=cache(,|$)/.test(m) && /target=\/var\/lib\/apt/.test(m));
  if (shipped && updates && !listsMounted && !/\brm\s+(-\w+\s+)*\/var\/lib\/apt\/lists/.test(instruction.args)) {
    emit(
      'CS006',
      line,
      "apt-get update's package lists stay in this layer of the image.",
      'End the same RUN with && rm -rf /var/lib/apt/lists/*.',
    );
  }

  const piped = commands.some((c) => c.next === '|');
  if (piped && !context.pipefailShell && !/set\s+(-\w*\s+)*-o\s+pipefail|set\s+-\w*o\s+pipefail/.test(instruction.args)) {
    emit(
      'CS011',
      line,
      'This RUN pipes commands, and /bin/sh reports only the last one’s exit status, so a failure before the pipe goes unnoticed.',
      'Add SHELL ["/bin/bash", "-o", "pipefail", "-c"] before it, or start the RUN with set -o pipefail &&.',
    );
  }

  checkRunCommands(instruction, commands, context.builder, emit);
}

/** `pip install [--no-deps] .` (or `-e .`, `/app`): installs the project itself, not its dependency list. */
function isProjectInstall(command: ShellCommand): boolean {
  const args = pipInstallArgs(command);
  if (!args) return false;
  const targets = args.filter((word, i) => !word.startsWith('-') || args[i - 1] === '-e');
  const locals = targets.filter((word) => word !== '-e');
  return locals.length > 0 && !args.includes('-r') && locals.every((word) => /^(\.|\.\/|\/)/.test(word));
}

function checkFinalStage(input: LintInput, emit: Emit): void {
  const { analysis } = input;
  const final = analysis.finalStage;
  if (!final) return;
  const user = analysis.finalUser;
  const userName = user?.split(':')[0];
  if (userName === undefined && !setsNonRootUser(analysis)) {
    emit(
      'CS008',
      final.line,
      'The final stage sets no USER, so the service runs as root unless its base image sets another user.',
      'Create a user (RUN useradd --system app) and add USER app to the final stage.',
    );
  } else if (userName === 'root' || userName === '0') {
    const userLine = [...final.instructions].reverse().find((i) => i.keyword === 'USER')?.line ?? final.line;
    emit('CS008', userLine, `The final stage runs as '${user}'.`, 'Switch to an unprivileged user with USER in the final stage.');
  }

  if (input.smokePort !== undefined && !analysis.exposedPorts.some((p) => p.port === input.smokePort)) {
    const exposeLine = analysis.exposedPorts.at(-1)?.line ?? final.line;
    emit(
      'CS013',
      exposeLine,
      `The smoke test requests port ${input.smokePort}, which the final stage does not EXPOSE.`,
      `Add EXPOSE ${input.smokePort} to the final stage.`,
    );
  }

  if (!analysis.healthcheck) {
    emit(
      'CS014',
      final.line,
      'The final image has no HEALTHCHECK, so the engine reports a hung service as running.',
      'Add a HEALTHCHECK that requests the service, e.g. HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:5000/\')"].',
    );
  }
}

/** Bases documented to run as a non-root user (distroless `:nonroot` tags, Chainguard images). */
function setsNonRootUser(analysis: DockerfileAnalysis): boolean {
  let stage = analysis.finalStage;
  const seen = new Set<number>();
  while (stage?.baseStage !== undefined && !seen.has(stage.index)) {
    seen.add(stage.index);
    stage = analysis.stages[stage.baseStage];
  }
  const image = stage?.baseImage.toLowerCase() ?? '';
  return /[:-]nonroot\b|\/nonroot[:@]/.test(image) || image.startsWith('cgr.dev/chainguard/');
}

function checkDockerignore(input: LintInput, emit: Emit): void {
  if (input.dockerignore === undefined) return;
  const anchor = input.analysis.instructions[0]?.line ?? 1;
  if (input.dockerignore === null) {
    emit(
      'CS015',
      anchor,
      'The build context has no .dockerignore, so .git, virtualenvs and .env files are sent to the engine and can be copied into the image.',
      `Add a .dockerignore listing ${REQUIRED_DOCKERIGNORE_ENTRIES.join(', ')}.`,
    );
    return;
  }
  const matcher = DockerignoreMatcher.fromText(input.dockerignore);
  const missing = REQUIRED_DOCKERIGNORE_ENTRIES.filter((entry) => !matcher.ignores(entry));
  if (missing.length > 0) {
    emit(
      'CS016',
      1,
      `.dockerignore does not exclude ${missing.join(', ')}.`,
      `Add ${missing.map((m) => (m === '__pycache__' ? '**/__pycache__' : m)).join(', ')} to .dockerignore.`,
      input.dockerignorePath ?? '.dockerignore',
    );
  }
}
