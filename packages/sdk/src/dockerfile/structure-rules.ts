import type { DockerfileAnalysis, DockerfileInstruction, DockerfileStage } from './analysis.js';
import type { Emit, LintBuilder } from './rules.js';

/**
 * The rules about the Dockerfile's shape: stages, `COPY --from`, instructions that may appear once,
 * values that carry credentials, and syntax that only one of the two builders understands.
 */
export function checkStructure(analysis: DockerfileAnalysis, builder: LintBuilder, target: string | undefined, emit: Emit): void {
  checkStageNames(analysis, emit);
  for (const stage of analysis.stages) {
    checkOncePerStage(stage, emit);
    for (const instruction of stage.instructions) {
      checkInstruction(instruction, stage, analysis, emit);
      if (builder === 'classic') checkClassicSyntax(instruction, emit);
      checkHeredoc(instruction, emit);
      checkCredentialValue(instruction, emit);
    }
  }
  for (const instruction of analysis.instructions) {
    if (instruction.stageIndex === undefined) checkCredentialValue(instruction, emit);
  }
  if (builder !== 'classic') checkUnreachableTestStages(analysis, target, emit);
}

function checkStageNames(analysis: DockerfileAnalysis, emit: Emit): void {
  const seen = new Map<string, number>();
  for (const stage of analysis.stages) {
    if (stage.name === undefined) continue;
    const first = seen.get(stage.name);
    if (first !== undefined) {
      emit(
        'CS028',
        stage.line,
        `Stage name '${stage.name}' is already used on line ${first}, so COPY --from=${stage.name} and --target are ambiguous.`,
        'Give each stage its own name.',
      );
    } else seen.set(stage.name, stage.line);
  }
}

const ONCE: Array<{ keyword: string; id: 'CS021' | 'CS037' | 'CS038' }> = [
  { keyword: 'HEALTHCHECK', id: 'CS021' },
  { keyword: 'CMD', id: 'CS037' },
  { keyword: 'ENTRYPOINT', id: 'CS038' },
];

function checkOncePerStage(stage: DockerfileStage, emit: Emit): void {
  for (const { keyword, id } of ONCE) {
    const all = stage.instructions.filter((i) => i.keyword === keyword);
    for (const later of all.slice(1)) {
      emit(
        id,
        later.line,
        `This stage has more than one ${keyword} (the first on line ${all[0]?.line}); only the last one takes effect.`,
        `Keep one ${keyword} per stage.`,
      );
    }
  }
}

function checkInstruction(
  instruction: DockerfileInstruction,
  stage: DockerfileStage,
  analysis: DockerfileAnalysis,
  emit: Emit,
): void {
  switch (instruction.keyword) {
    case 'WORKDIR': {
      const dir = instruction.args.trim().replace(/^["']|["']$/g, '');
      if (dir !== '' && !dir.startsWith('/') && !dir.startsWith('$') && !/^[A-Za-z]:[\\/]/.test(dir)) {
        emit(
          'CS017',
          instruction.line,
          `WORKDIR ${dir} is relative, so where it lands depends on every WORKDIR before it and on the base image.`,
          `Use an absolute path: WORKDIR /${dir.replace(/^\.\//, '')}.`,
        );
      }
      break;
    }
    case 'EXPOSE':
      for (const word of instruction.args.trim().split(/\s+/)) {
        if (word === '' || word.includes('$')) continue;
        const ports = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
        const bad = !ports || [ports[1], ports[2]].some((p) => p !== undefined && Number(p) > 65_535);
        if (bad) {
          emit(
            'CS020',
            instruction.line,
            `EXPOSE ${word} is not a port (0-65535, optionally /tcp, /udp or /sctp).`,
            'Expose a port number between 0 and 65535.',
          );
        }
      }
      break;
    case 'MAINTAINER':
      emit(
        'CS036',
        instruction.line,
        'MAINTAINER is deprecated and not shown by most tools.',
        `Use LABEL org.opencontainers.image.authors="${instruction.args.trim()}" instead.`,
      );
      break;
    case 'COPY':
      checkCopyFrom(instruction, stage, analysis, emit);
      break;
  }
}

function checkCopyFrom(
  instruction: DockerfileInstruction,
  stage: DockerfileStage,
  analysis: DockerfileAnalysis,
  emit: Emit,
): void {
  const from = instruction.flags.from;
  if (from === undefined || from === null || from === '' || from.includes('$')) return;
  const lower = from.toLowerCase();
  if (stage.name === lower) {
    emit(
      'CS027',
      instruction.line,
      `COPY --from=${from} names the stage it is in, which does not exist yet while it builds.`,
      'Copy from an earlier stage.',
    );
    return;
  }
  if (/^\d+$/.test(from)) {
    if (Number(from) >= stage.index) {
      emit(
        'CS026',
        instruction.line,
        `COPY --from=${from} names stage ${from}, which is not defined before this one.`,
        'Copy from an earlier stage, by its name.',
      );
    }
    return;
  }
  const earlier = analysis.stages.some((s) => s.index < stage.index && s.name === lower);
  // A name with a registry, path or tag is an image; a bare word is meant as a stage.
  if (!earlier && !/[/:@.]/.test(from)) {
    const names = analysis.stages.filter((s) => s.index < stage.index && s.name !== undefined).map((s) => s.name);
    emit(
      'CS026',
      instruction.line,
      `COPY --from=${from} is not a stage defined before this one, so the builder tries to pull an image named '${from}'.`,
      names.length > 0 ? `Copy from one of the stages: ${names.join(', ')}.` : `Name the stage: FROM <image> AS ${from}.`,
    );
  }
}

/** Flags and forms the classic builder rejects; BuildKit understands them. */
const BUILDKIT_ONLY_FLAGS: Record<string, readonly string[]> = {
  RUN: ['mount', 'network', 'security'],
  COPY: ['chmod', 'link', 'parents', 'exclude'],
  ADD: ['chmod', 'link', 'checksum', 'keep-git-dir', 'exclude'],
};

function checkClassicSyntax(instruction: DockerfileInstruction, emit: Emit): void {
  const flags = (BUILDKIT_ONLY_FLAGS[instruction.keyword] ?? []).filter((flag) => flag in instruction.flags);
  if (flags.length === 0) return;
  emit(
    'CS039',
    instruction.line,
    `${instruction.keyword} ${flags.map((f) => `--${f}`).join(' ')} needs BuildKit, and this build uses the classic builder, which fails on it.`,
    'Build with BuildKit (--builder buildkit, or auto on a Docker engine), or drop the flag.',
  );
}

function checkHeredoc(instruction: DockerfileInstruction, emit: Emit): void {
  if (!['RUN', 'COPY', 'ADD'].includes(instruction.keyword)) return;
  if (!/(^|\s)<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?/.test(instruction.args.split('\n')[0] ?? '')) return;
  emit(
    'CS040',
    instruction.line,
    `${instruction.keyword} <<EOF (a heredoc) needs the Dockerfile 1.4 frontend; this engine's built-in frontend and the classic builder treat the following lines as instructions.`,
    'Write the script as one RUN with && and \\ line continuations, or COPY a script file and RUN it.',
  );
}

/** `scheme://user:password@host`, where the password is a literal (a `$VAR` is checked by name). */
const CREDENTIAL_URL = /\b[a-z][a-z0-9+.-]*:\/\/([^\s:@/'"]+):([^\s@/'"]+)@/i;

function checkCredentialValue(instruction: DockerfileInstruction, emit: Emit): void {
  if (!['ENV', 'ARG', 'RUN', 'LABEL', 'ADD'].includes(instruction.keyword)) return;
  const match = CREDENTIAL_URL.exec(instruction.args);
  if (!match || (match[2] as string).startsWith('$')) return;
  const where = instruction.keyword === 'ENV' || instruction.keyword === 'LABEL' ? 'the image config' : 'the image history';
  emit(
    'CS041',
    instruction.line,
    `${instruction.keyword} has a URL with a password for '${match[1]}', which is stored in ${where} for anyone who pulls the image.`,
    instruction.keyword === 'RUN'
      ? 'Read the credential from a build secret (RUN --mount=type=secret,id=...) instead of writing it in the Dockerfile.'
      : 'Pass the URL at run time (environment or a mounted file) instead of baking it into the image.',
  );
}

const TEST_STAGE = /^(tests?|testing|unit-?tests?|check|checks|lint|.*[-_](tests?|check))$/;

function checkUnreachableTestStages(analysis: DockerfileAnalysis, target: string | undefined, emit: Emit): void {
  if (target !== undefined && !analysis.stages.some((s) => s.name === target.toLowerCase())) return;
  const needed = new Set(analysis.stagesForTarget(target).map((s) => s.index));
  for (const stage of analysis.stages) {
    if (stage.name === undefined || !TEST_STAGE.test(stage.name) || needed.has(stage.index)) continue;
    emit(
      'CS042',
      stage.line,
      `Stage '${stage.name}' looks like a test stage, but the ${target === undefined ? 'final stage' : `target '${target}'`} does not use it, so BuildKit skips it and its checks never run.`,
      `Make a later stage depend on it, e.g. copy the app from it: COPY --from=${stage.name} /app /app.`,
    );
  }
}
