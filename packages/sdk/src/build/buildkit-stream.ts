import { decodeTrace, type TraceTimestamp, type TraceVertex } from '../engine/buildkit-proto.js';
import type { EngineStreamMessage } from '../engine/json-stream.js';
import { BuildError } from '../errors.js';
import type { ProgressListener } from '../progress.js';
import { type BuildStreamOutcome, baseImageOf, LOG_TAIL_LINES, registryName } from './build-stream.js';

/**
 * Turns a BuildKit `/build` stream (`moby.buildkit.trace` status messages) into the same progress
 * events and verdict as the classic builder's: steps named as buildx prints them
 * (`[builder 3/4] RUN ...`), cached or not, how long each took, its log lines, and a BuildError
 * with the instruction, the exit code (BuildKit has it only in the message) and that step's last lines.
 */
const STEP_NAME = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/s;
const EXIT_CODE = /exit code: (\d+)/;
const LOAD_METADATA = /^\[internal\] load metadata for (.+)$/;
const SECRET_MISSING = /secret (\S+?):? not found/;
const SSH_MISSING = /no SSH key "?([^"\s]+)"? forwarded|unset ssh forward key (\S+)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are control characters.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

interface VertexState {
  digest: string;
  name: string;
  /** Set for Dockerfile steps (`[stage n/m] INSTRUCTION`). */
  step?: { number: number; total: number; stage: string | undefined; instruction: string };
  announced: boolean;
  done: boolean;
  started?: TraceTimestamp;
  error: string;
  output: string[];
  partial: string;
}

export interface BuildKitStreamOptions {
  onProgress?: ProgressListener | undefined;
  /** The `# syntax=` frontend image the Dockerfile asks for, if any. */
  syntax?: string | undefined;
  /** False for a build with an `--output`: the engine then reports no image ID. Default true. */
  makesImage?: boolean | undefined;
}

export class BuildKitStreamDecoder {
  private readonly onProgress: ProgressListener | undefined;
  private readonly syntax: string | undefined;
  private readonly makesImage: boolean;
  private readonly vertices = new Map<string, VertexState>();
  private imageId: string | undefined;
  private steps = 0;
  private cachedSteps = 0;
  private failure: BuildError | undefined;

  constructor(options: BuildKitStreamOptions = {}) {
    this.onProgress = options.onProgress;
    this.syntax = options.syntax;
    this.makesImage = options.makesImage ?? true;
  }

  handle(message: EngineStreamMessage): void {
    if (this.failure) return;
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') this.trace(message.aux);
    if (message.id === 'moby.image.id' && typeof message.aux?.ID === 'string') this.imageId = message.aux.ID;
    if (message.error !== undefined || message.errorDetail !== undefined) this.fail(message);
  }

  finish(): BuildStreamOutcome {
    for (const vertex of this.vertices.values()) this.flushPartial(vertex);
    if (this.failure) throw this.failure;
    if (!this.imageId && this.makesImage) {
      throw new BuildError(
        'The engine ended the build without reporting an image ID; run the build again and check the engine log if it repeats.',
      );
    }
    return { imageId: this.imageId ?? '', steps: this.steps, cachedSteps: this.cachedSteps, warnings: [] };
  }

  private trace(aux: string): void {
    const status = decodeTrace(aux);
    for (const vertex of status.vertexes) this.vertex(vertex);
    for (const log of status.logs) {
      const vertex = this.vertices.get(log.vertex);
      if (vertex) this.text(vertex, log.msg.toString('utf8'));
    }
  }

  private vertex(update: TraceVertex): void {
    let vertex = this.vertices.get(update.digest);
    if (!vertex) {
      const match = STEP_NAME.exec(update.name);
      vertex = {
        digest: update.digest,
        name: update.name,
        announced: false,
        done: false,
        error: '',
        output: [],
        partial: '',
        ...(match
          ? { step: { stage: match[1], number: Number(match[2]), total: Number(match[3]), instruction: (match[4] ?? '').trim() } }
          : {}),
      };
      this.vertices.set(update.digest, vertex);
    }
    if (update.started) vertex.started ??= update.started;
    if (update.error) vertex.error = update.error;
    if (!vertex.announced && (update.started || update.cached)) {
      vertex.announced = true;
      if (vertex.step) {
        this.steps += 1;
        if (update.cached) this.cachedSteps += 1;
        this.onProgress?.({
          type: 'build-step',
          step: vertex.step.number,
          totalSteps: vertex.step.total,
          instruction: vertex.step.instruction,
          name: vertex.name,
          cached: update.cached,
        });
      }
    }
    if (!vertex.done && update.completed) {
      vertex.done = true;
      this.flushPartial(vertex);
      if (vertex.step) {
        const started = vertex.started ?? update.completed;
        this.onProgress?.({
          type: 'build-step-end',
          name: vertex.name,
          cached: update.cached,
          durationMs: Math.max(0, millis(update.completed) - millis(started)),
          ok: !vertex.error,
        });
      }
    }
  }

  private text(vertex: VertexState, chunk: string): void {
    const lines = (vertex.partial + chunk.replace(ANSI, '')).split('\n');
    vertex.partial = lines.pop() ?? '';
    for (const line of lines) this.line(vertex, line.replace(/\r$/, ''));
  }

  private flushPartial(vertex: VertexState): void {
    if (vertex.partial !== '') this.line(vertex, vertex.partial);
    vertex.partial = '';
  }

  private line(vertex: VertexState, line: string): void {
    if (line.trim() === '') return;
    vertex.output.push(line);
    if (vertex.output.length > LOG_TAIL_LINES * 5) vertex.output.splice(0, vertex.output.length - LOG_TAIL_LINES);
    this.onProgress?.({ type: 'log', phase: 'build', line, step: vertex.name });
  }

  private fail(message: EngineStreamMessage): void {
    for (const vertex of this.vertices.values()) this.flushPartial(vertex);
    const engineMessage = (message.errorDetail?.message ?? message.error ?? 'unknown error').replace(ANSI, '').trim();
    const failed = [...this.vertices.values()].filter((vertex) => vertex.error && !/context canceled/.test(vertex.error));
    const vertex = failed.find((candidate) => candidate.step) ?? failed[0];
    const step = vertex?.step;
    const logTail = vertex?.output.slice(-LOG_TAIL_LINES) ?? [];
    const instruction = step?.instruction;

    const secret = SECRET_MISSING.exec(engineMessage);
    if (secret) {
      this.failure = new BuildError(
        `The build needs the secret '${secret[1]}'${instruction ? ` at \`${instruction}\`` : ''}, and none was given; pass it with --secret id=${secret[1]},env=VAR (or src=FILE), or mark the mount required=false.`,
        { code: 'BUILD_SECRET_MISSING', step: instruction || undefined, logTail },
      );
      return;
    }
    const ssh = SSH_MISSING.exec(engineMessage);
    if (ssh) {
      const id = ssh[1] ?? ssh[2] ?? 'default';
      this.failure = new BuildError(
        `The build needs SSH agent forwarding for '${id}'${instruction ? ` at \`${instruction}\`` : ''}, and none was given; pass --ssh ${id === 'default' ? 'default' : `${id}=SOCKET`} with an ssh-agent holding the key.`,
        { code: 'BUILD_SSH_MISSING', step: instruction || undefined, logTail },
      );
      return;
    }
    if (this.syntax && (this.frontendFailed(engineMessage) || (!step && !vertex))) {
      this.failure = new BuildError(
        `The Dockerfile's '# syntax=${this.syntax}' frontend could not be pulled (${engineMessage}); remove the syntax line to use the engine's built-in frontend, or load that image into the engine first (docker pull ${this.syntax}, or docker load on a machine without internet).`,
        { code: 'BUILD_FRONTEND_UNAVAILABLE', logTail },
      );
      return;
    }

    const metadata = vertex ? LOAD_METADATA.exec(vertex.name) : null;
    const fromImage = metadata?.[1] ?? (instruction ? baseImageOf(instruction) : undefined);
    if (fromImage !== undefined && (metadata || !EXIT_CODE.test(engineMessage))) {
      this.failure = new BuildError(
        `The base image '${fromImage}' could not be pulled from ${registryName(fromImage)} (${engineMessage}); check the name and tag, log in to that registry, or pull the image into the engine first.`,
        { code: 'BASE_IMAGE_NOT_FOUND', step: instruction || undefined, logTail },
      );
      return;
    }

    const where = step
      ? `step ${step.stage ? `${step.stage} ` : ''}${step.number}/${step.total} \`${step.instruction}\``
      : 'the build';
    const exitMatch = EXIT_CODE.exec(vertex?.error || engineMessage);
    if (exitMatch) {
      const exitCode = Number(exitMatch[1]);
      const lastLine = logTail.at(-1);
      this.failure = new BuildError(
        `The build failed at ${where} with exit code ${exitCode}${lastLine ? ` (${lastLine.trim()})` : ''}; fix that instruction and build again.`,
        { step: instruction || undefined, exitCode, logTail },
      );
      return;
    }
    this.failure = new BuildError(`The build failed at ${where}: ${engineMessage}; fix that instruction and build again.`, {
      step: instruction || undefined,
      logTail,
    });
  }

  private frontendFailed(engineMessage: string): boolean {
    const syntax = this.syntax ?? '';
    const bare = syntax.replace(/^docker\.io\//, '');
    if (engineMessage.includes(bare)) return true;
    return [...this.vertices.values()].some((vertex) => vertex.error && vertex.name.includes(bare));
  }
}

function millis(time: TraceTimestamp): number {
  return Number(time.seconds) * 1000 + Math.round(Number(time.nanos) / 1_000_000);
}
