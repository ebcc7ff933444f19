import type { EngineStreamMessage } from '../engine/json-stream.js';
import { BuildError } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import type { ProgressListener } from '../progress.js';

/**
 * Turns the classic builder's `/build` stream (Docker's, or Podman's Buildah behind the same
 * endpoint, which writes `STEP n/m:` and `--> ` lines) into progress events and a verdict. The
 * engine answers HTTP 200 and puts a failure in an `errorDetail` line, so the verdict comes
 * from the lines, never from the end of the stream.
 */
export interface BuildStreamOutcome {
  imageId: string;
  steps: number;
  cachedSteps: number;
  warnings: string[];
}

/** How many lines of a failing step's output a BuildError keeps. */
export const LOG_TAIL_LINES = 20;

// Buildah numbers steps per stage and, in a multi-stage build, puts the stage first: `[2/3] STEP 4/6: RUN ...`.
const STEP_LINE = /^(?:Step (\d+)\/(\d+) : |(?:\[\d+\/\d+\] )?STEP (\d+)\/(\d+): )(.*)$/;
const USING_CACHE = /^ ?-{2,3}> Using cache\b/;
const NON_ZERO = /(?:returned a non-zero code|while running runtime: exit status):? (\d+)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are control characters.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const BUILDER_CHATTER = [
  /^ ---> Running in [0-9a-f]+$/,
  /^Removing intermediate container [0-9a-f]+$/,
  /^ ---> [0-9a-f]{12,}$/,
  // Buildah: the layer it committed, the image it wrote, and that image's ID alone on a line.
  /^--> [0-9a-f]{11,}$/,
  /^(?:\[\d+\/\d+\] )?COMMIT( \S+)?$/,
  /^[0-9a-f]{64}$/,
];
const WARNING = /^\[warning\]:?\s*/i;

interface CurrentStep {
  number: number;
  total: number;
  instruction: string;
  output: string[];
  announced: boolean;
}

export interface BuildStreamOptions {
  onProgress?: ProgressListener | undefined;
  /** FROM images after ARG substitution, by the text written in the Dockerfile, for error messages. */
  resolveBaseImage?: ((written: string) => string) | undefined;
}

export class BuildStreamDecoder {
  private readonly onProgress: ProgressListener | undefined;
  private readonly resolveBaseImage: (written: string) => string;
  private partial = '';
  private step: CurrentStep | undefined;
  private imageId: string | undefined;
  private steps = 0;
  private cachedSteps = 0;
  private readonly warnings: string[] = [];
  private failure: BuildError | undefined;

  constructor(options: BuildStreamOptions = {}) {
    this.onProgress = options.onProgress;
    this.resolveBaseImage = options.resolveBaseImage ?? ((written) => written);
  }

  handle(message: EngineStreamMessage): void {
    if (this.failure) return;
    if (message.stream !== undefined) this.text(message.stream);
    if (message.status !== undefined) this.pullStatus(message);
    const id = message.aux?.ID;
    if (typeof id === 'string') this.imageId = id;
    if (message.raw !== undefined) this.line(message.raw);
    if (message.error !== undefined || message.errorDetail !== undefined) this.fail(message);
  }

  /** The verdict once the stream has ended: the outcome, or the BuildError that explains it. */
  finish(): BuildStreamOutcome {
    if (!this.failure && this.partial !== '') this.line(this.partial);
    this.partial = '';
    this.announce(undefined);
    if (this.failure) throw this.failure;
    if (!this.imageId) {
      throw new BuildError(
        'The engine ended the build without reporting an image ID; run the build again and check the engine log if it repeats.',
        { step: this.step?.instruction, logTail: this.step?.output.slice(-LOG_TAIL_LINES) },
      );
    }
    return { imageId: this.imageId, steps: this.steps, cachedSteps: this.cachedSteps, warnings: [...this.warnings] };
  }

  private text(chunk: string): void {
    const text = this.partial + chunk.replace(ANSI, '');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    // `Step N/M : ...` arrives without its newline; take it as soon as it is whole.
    if (STEP_LINE.test(this.partial)) {
      lines.push(this.partial);
      this.partial = '';
    }
    for (const line of lines) this.line(line.replace(/\r$/, ''));
  }

  private line(line: string): void {
    const stepMatch = STEP_LINE.exec(line);
    if (stepMatch) {
      this.announce(undefined);
      this.steps += 1;
      this.step = {
        number: Number(stepMatch[1] ?? stepMatch[3]),
        total: Number(stepMatch[2] ?? stepMatch[4]),
        instruction: stepMatch[5] ?? '',
        output: [],
        announced: false,
      };
      return;
    }
    if (USING_CACHE.test(line)) {
      this.cachedSteps += 1;
      this.announce(true);
      return;
    }
    if (line.trim() === '') return;
    this.announce(false);
    if (BUILDER_CHATTER.some((pattern) => pattern.test(line))) return;
    if (/^Successfully (built|tagged) /.test(line)) return;
    if (WARNING.test(line)) {
      const warning = line.replace(WARNING, '').trim();
      this.warnings.push(warning);
      this.onProgress?.({ type: 'warning', phase: 'build', message: warning });
      return;
    }
    this.step?.output.push(line);
    this.onProgress?.({ type: 'log', phase: 'build', line });
  }

  /** Emits the current step once we know whether it came from the cache (the line after `Step`). */
  private announce(cached: boolean | undefined): void {
    const step = this.step;
    if (!step || step.announced) return;
    step.announced = true;
    this.onProgress?.({
      type: 'build-step',
      step: step.number,
      totalSteps: step.total,
      instruction: step.instruction,
      ...(cached === undefined ? {} : { cached }),
    });
  }

  private pullStatus(message: EngineStreamMessage): void {
    this.announce(false);
    if (message.id === undefined || message.status === undefined) return;
    this.onProgress?.({
      type: 'layer',
      phase: 'pull',
      layerId: message.id,
      status: message.status,
      ...(message.progressDetail?.current === undefined ? {} : { current: message.progressDetail.current }),
      ...(message.progressDetail?.total === undefined ? {} : { total: message.progressDetail.total }),
    });
  }

  private fail(message: EngineStreamMessage): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    this.announce(false);
    const engineMessage = (message.errorDetail?.message ?? message.error ?? 'unknown error').replace(ANSI, '').trim();
    const step = this.step;
    const logTail = step?.output.slice(-LOG_TAIL_LINES) ?? [];
    const where = step ? `step ${step.number}/${step.total} \`${step.instruction}\`` : 'the build';

    const fromImage = step ? baseImageOf(step.instruction) : undefined;
    if (fromImage !== undefined) {
      const image = this.resolveBaseImage(fromImage);
      this.failure = new BuildError(
        `The base image '${image}' could not be pulled from ${registryName(image)} (${engineMessage}); check the name and tag, log in to that registry, or pull the image into the engine first.`,
        { code: 'BASE_IMAGE_NOT_FOUND', step: step?.instruction, logTail },
      );
      return;
    }

    const exitMatch = NON_ZERO.exec(engineMessage);
    const exitCode = exitMatch ? Number(exitMatch[1]) : message.errorDetail?.code;
    if (exitMatch) {
      const lastLine = logTail.at(-1);
      this.failure = new BuildError(
        `The build failed at ${where} with exit code ${exitCode}${lastLine ? ` (${lastLine.trim()})` : ''}; fix that instruction and build again.`,
        { step: step?.instruction, exitCode, logTail },
      );
      return;
    }
    this.failure = new BuildError(`The build failed at ${where}: ${engineMessage}; fix that instruction and build again.`, {
      step: step?.instruction,
      exitCode,
      logTail,
    });
  }
}

/** The image a `FROM` step names (without `--platform=...` and `AS name`); undefined for other steps. */
export function baseImageOf(instruction: string): string | undefined {
  const words = instruction.trim().split(/\s+/);
  if (words[0]?.toUpperCase() !== 'FROM') return undefined;
  return words.slice(1).find((word) => !word.startsWith('--'));
}

export function registryName(image: string): string {
  try {
    const registry = parseImageRef(image).registry;
    return registry === 'docker.io' ? 'Docker Hub (docker.io)' : registry;
  } catch {
    return 'its registry';
  }
}
