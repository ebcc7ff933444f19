import {
  type Arg,
  type Copy,
  DockerfileParser,
  type From,
  type Healthcheck,
  type Instruction,
  type JSONInstruction,
} from 'dockerfile-ast';
import { ShipError } from '../errors.js';

/**
 * Pure Dockerfile analysis over `dockerfile-ast` (the parser behind VS Code's Docker support).
 * Lines are 1-based, as editors, hadolint and SARIF count them.
 */

export interface DockerfileInstruction {
  /** Upper-case keyword: `FROM`, `RUN`, `COPY`... */
  keyword: string;
  /** First and last line (1-based); they differ for continued lines. */
  line: number;
  endLine: number;
  /** Arguments without flags, continuation lines joined. */
  args: string;
  /** Flags such as `--from=builder` or `--chown=app`, by name (without `--`). */
  flags: Record<string, string | null>;
  /** Every `--mount=` of a RUN, in order (`flags.mount` keeps only the last one). */
  mounts: string[];
  /** Exec (JSON array) form for RUN/CMD/ENTRYPOINT; undefined for other keywords. */
  execForm?: string[];
  /** The stage the instruction belongs to; undefined for ARGs before the first FROM. */
  stageIndex: number | undefined;
}

export interface DockerfileArg {
  name: string;
  /** The default value, or undefined when the ARG declares none. */
  defaultValue: string | undefined;
  line: number;
}

export interface DockerfileHealthcheck {
  /** `NONE` disables a healthcheck inherited from the base image. */
  disabled: boolean;
  /** The command (exec form as given, shell form as `['CMD-SHELL', cmd]`). */
  test: string[];
  flags: Record<string, string | null>;
  line: number;
}

export interface DockerfileStage {
  index: number;
  /** The name after `AS`, lower-cased as Docker treats it; undefined for unnamed stages. */
  name: string | undefined;
  /** The base image as written, e.g. `python:${PY}-slim`. */
  rawBaseImage: string;
  /** The base image with `ARG`s before `FROM` substituted by their defaults (or build args). */
  baseImage: string;
  /** When the stage builds `FROM` an earlier stage, that stage's index. */
  baseStage: number | undefined;
  platform: string | undefined;
  line: number;
  endLine: number;
  /** Stages this one copies from (`COPY --from=<stage|index>`), by index. */
  copiesFromStages: number[];
  /** `COPY --from=` sources that are images, not stages. */
  copiesFromImages: string[];
  /** Ports this stage itself exposes (see `exposedPorts` on the analysis for inherited ones). */
  exposes: DockerfilePort[];
  /** The last `USER` in this stage, if any. */
  user: string | undefined;
  healthcheck: DockerfileHealthcheck | undefined;
  instructions: DockerfileInstruction[];
}

export interface DockerfilePort {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  line: number;
}

export interface DockerfileAnalysis {
  /** `ARG`s declared before the first `FROM` (the ones `FROM` may use). */
  globalArgs: DockerfileArg[];
  stages: DockerfileStage[];
  instructions: DockerfileInstruction[];
  /** The stage that `docker build` without `--target` produces (the last one). */
  finalStage: DockerfileStage | undefined;
  /** Ports the final stage exposes, including those inherited through `FROM <stage>`. */
  exposedPorts: DockerfilePort[];
  /** The final stage's healthcheck, inherited through `FROM <stage>` when it sets none. */
  healthcheck: DockerfileHealthcheck | undefined;
  /** The user the final image runs as when the Dockerfile says (`undefined`: not set here, the base image decides). */
  finalUser: string | undefined;
  /** Finds a stage by name (case-insensitive) or index. */
  findStage(ref: string | number): DockerfileStage | undefined;
  /**
   * The stages building `target` needs, in file order: the target, the stage it is `FROM`, the stages it
   * copies from, transitively. Without a target: for the final stage.
   * Throws `TARGET_NOT_FOUND` for an unknown target.
   */
  stagesForTarget(target?: string): DockerfileStage[];
}

export interface AnalyzeOptions {
  /** Build args that override `ARG` defaults when substituting base images. */
  buildArgs?: Record<string, string> | undefined;
}

export function analyzeDockerfile(text: string, options: AnalyzeOptions = {}): DockerfileAnalysis {
  const parsed = DockerfileParser.parse(text);
  const globalArgs = parsed.getInitialARGs().map(toArg);
  const argValues = new Map<string, string>();
  for (const arg of globalArgs) {
    const given = options.buildArgs?.[arg.name];
    const value = given ?? (arg.defaultValue === undefined ? undefined : substituteVariables(arg.defaultValue, argValues));
    if (value !== undefined) argValues.set(arg.name, value);
  }

  const stages: DockerfileStage[] = [];
  const instructions: DockerfileInstruction[] = [];
  let current: DockerfileStage | undefined;
  for (const node of parsed.getInstructions()) {
    const keyword = node.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      current = toStage(node as From, stages, argValues);
      stages.push(current);
    }
    const instruction = toInstruction(node, keyword, current?.index);
    instructions.push(instruction);
    if (!current) continue;
    current.instructions.push(instruction);
    current.endLine = instruction.endLine;
    switch (keyword) {
      case 'COPY':
        recordCopySource(current, (node as Copy).getFromFlag()?.getValue() ?? undefined, stages);
        break;
      case 'EXPOSE':
        current.exposes.push(...parsePorts(node, instruction.line));
        break;
      case 'USER':
        current.user = instruction.args.trim() || undefined;
        break;
      case 'HEALTHCHECK':
        current.healthcheck = toHealthcheck(node as Healthcheck, instruction);
        break;
    }
  }

  const finalStage = stages.at(-1);
  const findStage = (ref: string | number): DockerfileStage | undefined => findStageIn(stages, ref);
  return {
    globalArgs,
    stages,
    instructions,
    finalStage,
    exposedPorts: finalStage ? inherited(stages, finalStage, (s) => s.exposes, true) : [],
    healthcheck: finalStage ? inherited(stages, finalStage, (s) => s.healthcheck, false) : undefined,
    finalUser: finalStage ? inherited(stages, finalStage, (s) => s.user, false) : undefined,
    findStage,
    stagesForTarget: (target) => {
      const start = target === undefined ? finalStage : assertTarget({ stages, findStage }, target);
      return start ? dependencyClosure(stages, start) : [];
    },
  };
}

/**
 * The stage `--target` names; throws `TARGET_NOT_FOUND` naming the stages that exist.
 * `dockerfile` names the file in the message (default `Dockerfile`).
 */
export function assertTarget(
  analysis: Pick<DockerfileAnalysis, 'stages' | 'findStage'>,
  target: string,
  dockerfile = 'Dockerfile',
): DockerfileStage {
  const stage = analysis.stages.find((s) => s.name !== undefined && s.name === target.toLowerCase());
  if (stage) return stage;
  const names = analysis.stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
  const message =
    names.length > 0
      ? `Stage '${target}' is not in ${dockerfile}; the stages are: ${names.join(', ')}.`
      : `Stage '${target}' is not in ${dockerfile}, which has no named stages; name one with 'FROM <image> AS ${target}' or drop --target.`;
  throw new ShipError('TARGET_NOT_FOUND', message);
}

/**
 * Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alternative}` as the builder does for `FROM`;
 * unknown variables become empty.
 */
export function substituteVariables(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const set = vars.get(name);
      if (op === '-') return set === undefined || set === '' ? (word ?? '') : set;
      if (op === '+') return set === undefined || set === '' ? '' : (word ?? '');
      return set ?? '';
    },
  );
}

function toArg(node: Arg): DockerfileArg {
  const property = node.getProperty();
  return {
    name: property?.getName() ?? '',
    defaultValue: property?.getValue() ?? undefined,
    line: node.getRange().start.line + 1,
  };
}

const EXEC_FORM_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT']);

function toInstruction(node: Instruction, keyword: string, stageIndex: number | undefined): DockerfileInstruction {
  const range = node.getRange();
  const instruction: DockerfileInstruction = {
    keyword,
    line: range.start.line + 1,
    endLine: range.end.line + 1,
    args: node.getArgumentsContent() ?? '',
    flags: flagsOf(node),
    mounts: mountsOf(node),
    stageIndex,
  };
  if (EXEC_FORM_KEYWORDS.has(keyword)) {
    const execForm = execFormOf(node as JSONInstruction);
    if (execForm) instruction.execForm = execForm;
  }
  return instruction;
}

function flagsOf(node: Instruction): Record<string, string | null> {
  const getFlags = (node as Partial<JSONInstruction>).getFlags;
  if (typeof getFlags !== 'function') return {};
  const flags: Record<string, string | null> = {};
  for (const flag of getFlags.call(node)) flags[flag.getName()] = flag.getValue();
  return flags;
}

function mountsOf(node: Instruction): string[] {
  const getFlags = (node as Partial<JSONInstruction>).getFlags;
  if (typeof getFlags !== 'function') return [];
  return getFlags
    .call(node)
    .filter((flag) => flag.getName() === 'mount')
    .map((flag) => flag.getValue() ?? '');
}

function execFormOf(node: JSONInstruction): string[] | undefined {
  const args = node.getArgumentsContent()?.trim() ?? '';
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Not valid JSON: Docker runs it in shell form, and so do we.
  }
  return undefined;
}

function toStage(node: From, stages: DockerfileStage[], argValues: ReadonlyMap<string, string>): DockerfileStage {
  const rawBaseImage = node.getImage() ?? '';
  const baseImage = substituteVariables(rawBaseImage, argValues);
  const line = node.getRange().start.line + 1;
  const baseStage = findStageIn(stages, baseImage.toLowerCase());
  const platform = node.getPlatformFlag()?.getValue() ?? undefined;
  return {
    index: stages.length,
    name: node.getBuildStage()?.toLowerCase() ?? undefined,
    rawBaseImage,
    baseImage,
    baseStage: baseStage?.index,
    platform: platform === undefined ? undefined : substituteVariables(platform, argValues),
    line,
    endLine: line,
    copiesFromStages: [],
    copiesFromImages: [],
    exposes: [],
    user: undefined,
    healthcheck: undefined,
    instructions: [],
  };
}

function findStageIn(stages: readonly DockerfileStage[], ref: string | number): DockerfileStage | undefined {
  if (typeof ref === 'number') return stages[ref];
  const lower = ref.toLowerCase();
  return stages.find((s) => s.name === lower);
}

function recordCopySource(stage: DockerfileStage, from: string | undefined, earlier: readonly DockerfileStage[]): void {
  if (from === undefined || from === '') return;
  const source = /^\d+$/.test(from) ? findStageIn(earlier, Number(from)) : findStageIn(earlier, from);
  if (source && source.index !== stage.index) {
    if (!stage.copiesFromStages.includes(source.index)) stage.copiesFromStages.push(source.index);
  } else if (!stage.copiesFromImages.includes(from)) {
    stage.copiesFromImages.push(from);
  }
}

function parsePorts(node: Instruction, line: number): DockerfilePort[] {
  const ports: DockerfilePort[] = [];
  for (const argument of node.getArguments()) {
    const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(argument.getValue());
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const protocol = (match[3]?.toLowerCase() ?? 'tcp') as DockerfilePort['protocol'];
    for (let port = first; port <= last && port - first < 1024; port++) ports.push({ port, protocol, line });
  }
  return ports;
}

function toHealthcheck(node: Healthcheck, instruction: DockerfileInstruction): DockerfileHealthcheck {
  const subcommand = node.getSubcommand()?.getValue().toUpperCase();
  if (subcommand === 'NONE') return { disabled: true, test: ['NONE'], flags: instruction.flags, line: instruction.line };
  const command = instruction.args.replace(/^\s*CMD\s+/i, '').trim();
  let test = ['CMD-SHELL', command];
  if (command.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(command);
      if (Array.isArray(parsed)) test = ['CMD', ...parsed.map(String)];
    } catch {
      // Shell form after all.
    }
  }
  return { disabled: false, test, flags: instruction.flags, line: instruction.line };
}

/** Walks `FROM <stage>` parents until `pick` finds a value; `merge` collects all of them instead. */
function inherited<T>(
  stages: readonly DockerfileStage[],
  stage: DockerfileStage,
  pick: (s: DockerfileStage) => T[],
  merge: true,
): T[];
function inherited<T>(
  stages: readonly DockerfileStage[],
  stage: DockerfileStage,
  pick: (s: DockerfileStage) => T | undefined,
  merge: false,
): T | undefined;
function inherited<T>(
  stages: readonly DockerfileStage[],
  stage: DockerfileStage,
  pick: (s: DockerfileStage) => T | T[] | undefined,
  merge: boolean,
): T | T[] | undefined {
  const collected: T[] = [];
  const seen = new Set<number>();
  let current: DockerfileStage | undefined = stage;
  while (current && !seen.has(current.index)) {
    seen.add(current.index);
    const value = pick(current);
    if (merge) collected.unshift(...(value as T[]));
    else if (value !== undefined) return value;
    current = current.baseStage === undefined ? undefined : stages[current.baseStage];
  }
  return merge ? collected : undefined;
}

function dependencyClosure(stages: readonly DockerfileStage[], start: DockerfileStage): DockerfileStage[] {
  const needed = new Set<number>();
  const visit = (stage: DockerfileStage): void => {
    if (needed.has(stage.index)) return;
    needed.add(stage.index);
    const parents = [...(stage.baseStage === undefined ? [] : [stage.baseStage]), ...stage.copiesFromStages];
    for (const index of parents) {
      const parent = stages[index];
      if (parent) visit(parent);
    }
  };
  visit(start);
  return stages.filter((s) => needed.has(s.index));
}
