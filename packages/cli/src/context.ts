import { resolve } from 'node:path';
import { discoverEngine, type EngineOptions, type ProgressListener, systemDiscoveryInput } from '@container-ship/sdk';
import { createProgressRenderer, type ProgressMode, type ProgressRenderer } from './output/progress.js';
import { colorWanted, createStyle, type Style } from './output/style.js';

export interface OutputStream {
  /** Text, or bytes (`ship build -o -` writes a tar). */
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything a run of the CLI touches, injectable so tests drive it in-process. */
export interface CliIO {
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** For `--password-stdin`: a stream, or the text itself in tests. */
  stdin?: NodeJS.ReadableStream | string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting it stops the command, which cleans up what it started (reason 'SIGTERM' → exit 143, else 130). */
  signal?: AbortSignal;
}

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  debug: boolean;
  color: boolean;
  config?: string;
}

/** What a command hands back: the JSON object for --json, the text for humans, and the exit code. */
export interface CommandResult {
  exitCode?: number;
  data: unknown;
  text?: string;
  /** What --quiet prints (an id, a digest); nothing when absent. */
  quietText?: string;
  /** A failure that still has a result to show (a release whose smoke test failed): its one ✖ line follows the result. */
  failure?: unknown;
  /** The command wrote its data (a tar) to stdout, so the text or JSON result goes to stderr. */
  stdoutTaken?: boolean;
}

export interface CliContext {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream | string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  globals: GlobalOptions;
  /** Styling for stdout (tables) and stderr (progress, errors), each by its own TTY-ness. */
  out: Style;
  err: Style;
  progress: ProgressRenderer;
  onProgress: ProgressListener;
  /** The engine discovery finds from this run's env (DOCKER_HOST, a docker context, a known socket), and how. */
  engine: EngineOptions;
  path(relative: string): string;
}

export function progressMode(globals: GlobalOptions, stderr: OutputStream, env: NodeJS.ProcessEnv): ProgressMode {
  if (globals.quiet) return 'silent';
  if (globals.json) return 'plain';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return stderr.isTTY && !ci ? 'live' : 'plain';
}

export function createContext(
  io: Required<Pick<CliIO, 'stdout' | 'stderr' | 'env' | 'cwd'>> & CliIO,
  globals: GlobalOptions,
  signal: AbortSignal,
): CliContext {
  const { stdout, stderr, env, cwd } = io;
  const err = createStyle(colorWanted({ flag: globals.color, env, isTTY: stderr.isTTY === true }));
  const out = createStyle(!globals.json && colorWanted({ flag: globals.color, env, isTTY: stdout.isTTY === true }));
  const progress = createProgressRenderer(progressMode(globals, stderr, env), stderr, err);
  const discovery = discoverEngine(systemDiscoveryInput(env));
  return {
    stdout,
    stderr,
    stdin: io.stdin,
    env,
    cwd,
    signal,
    globals,
    out,
    err,
    progress,
    onProgress: progress.onProgress,
    engine: { connection: discovery.connection, discovery },
    path: (relative) => resolve(cwd, relative),
  };
}
