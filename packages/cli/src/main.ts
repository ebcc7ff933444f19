import { CommanderError } from 'commander';
import type { CliContext, CliIO, CommandResult, GlobalOptions, OutputStream } from './context.js';
import { EXIT, exitCodeForAbort, UsageError } from './output/exit.js';
import { colorWanted, createStyle } from './output/style.js';
import { createProgram } from './program.js';

export type { CliIO, OutputStream } from './context.js';

/**
 * The start-up path (this file, program.ts, args.ts, output/exit.ts and style.ts) imports nothing
 * of the SDK at run time, so `ship --help` and `--version` load only commander and this code:
 * the run context (engine discovery) loads with a command, error formatting on the error path,
 * and each command brings the SDK entry points it imports.
 */
const loadContext = () => import('./context.js');
const loadErrors = () => import('./output/errors.js');

/**
 * Runs `ship` with `argv` (without `node` and the script) and returns the exit code. Never
 * exits the process and never throws: the bin calls it with the real streams, tests with
 * their own. 0 success, 1 a failed check or error, 2 bad usage, 130/143 when `signal` aborts.
 */
export async function runCli(argv: readonly string[], io: CliIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const signal = io.signal ?? new AbortController().signal;

  let ctx: CliContext | undefined;
  let result: CommandResult | undefined;
  const program = createProgram(
    async (load, args, flags) => {
      const globals = globalOptions(program.opts());
      const [{ createContext }, command] = await Promise.all([loadContext(), load()]);
      const context = createContext({ ...io, stdout, stderr, env, cwd }, globals, signal);
      ctx = context;
      if (globals.debug) await writeEngineDebug(context);
      try {
        result = await command.run(context, args, flags);
      } finally {
        context.progress.stop();
      }
    },
    { writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) },
  );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      // `ship` alone: commander has printed the help to stderr; no command is bad usage.
      if (error.code === 'commander.help') return EXIT.usage;
      return reportError(new UsageError(usageMessage(error, argv)), ctx, { stdout, stderr, env, argv });
    }
    if (signal.aborted) return reportAbort(signal, ctx, stderr);
    return reportError(error, ctx, { stdout, stderr, env, argv });
  }
  if (signal.aborted) return reportAbort(signal, ctx, stderr);
  if (!ctx || !result) return EXIT.ok;
  writeResult(ctx, result);
  if (result.failure !== undefined) {
    const { formatError } = await loadErrors();
    ctx.stderr.write(formatError(result.failure, { debug: ctx.globals.debug, style: ctx.err }));
  }
  return result.exitCode ?? EXIT.ok;
}

/** `--debug`: which engine this run talks to and how it was found, before the command's own output. */
async function writeEngineDebug(ctx: CliContext): Promise<void> {
  const { engineLines } = await import('./commands/doctor.js');
  const { inspectEngine, describeConnection } = await import('@container-ship/sdk');
  try {
    const lines = engineLines(await inspectEngine(ctx.engine));
    ctx.stderr.write(lines.map((line) => `debug: ${line}\n`).join(''));
  } catch (error) {
    const address = ctx.engine.connection ? describeConnection(ctx.engine.connection) : 'unknown';
    ctx.stderr.write(`debug: engine    ${address} does not answer (${error instanceof Error ? error.message : String(error)})\n`);
  }
}

export function globalOptions(raw: Record<string, unknown>): GlobalOptions {
  const globals: GlobalOptions = {
    json: raw.json === true,
    quiet: raw.quiet === true,
    debug: raw.debug === true,
    color: raw.color !== false,
  };
  if (typeof raw.config === 'string') globals.config = raw.config;
  return globals;
}

function writeResult(ctx: CliContext, result: CommandResult): void {
  const out = result.stdoutTaken ? ctx.stderr : ctx.stdout;
  if (ctx.globals.json) {
    out.write(`${JSON.stringify(result.data, null, 2)}\n`);
  } else if (ctx.globals.quiet) {
    if (result.quietText && !result.stdoutTaken)
      out.write(result.quietText.endsWith('\n') ? result.quietText : `${result.quietText}\n`);
  } else if (result.text) {
    out.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  }
}

async function reportError(
  error: unknown,
  ctx: CliContext | undefined,
  o: { stdout: OutputStream; stderr: OutputStream; env: NodeJS.ProcessEnv; argv: readonly string[] },
): Promise<number> {
  const { errorJson, exitCodeFor, formatError } = await loadErrors();
  // Before a command ran (a usage error), the global flags are read from argv directly.
  const json = ctx?.globals.json ?? o.argv.includes('--json');
  const debug = ctx?.globals.debug ?? o.argv.includes('--debug');
  const style =
    ctx?.err ?? createStyle(colorWanted({ flag: !o.argv.includes('--no-color'), env: o.env, isTTY: o.stderr.isTTY === true }));
  o.stderr.write(formatError(error, { debug, style }));
  if (json) o.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
  return exitCodeFor(error);
}

function reportAbort(signal: AbortSignal, ctx: CliContext | undefined, stderr: OutputStream): number {
  const code = exitCodeForAbort(signal.reason);
  const name = code === EXIT.sigterm ? 'SIGTERM' : 'SIGINT';
  stderr.write(
    `${ctx?.err.yellow(`✖ Stopped by ${name}; what this command started has been removed.`) ?? `✖ Stopped by ${name}.`}\n`,
  );
  return code;
}

/** commander's "error: unknown option '--imge'\n(Did you mean --image?)" as one sentence with the fix. */
export function usageMessage(error: CommanderError, argv: readonly string[]): string {
  const [first, ...rest] = error.message.replace(/^error:\s*/i, '').split('\n');
  const hint = rest
    .join(' ')
    .trim()
    .replace(/^\((.*)\)$/, '$1');
  const base = (first ?? '').replace(/ is invalid\. /, ' is invalid: ').replace(/\.$/, '');
  const command = argv.find((arg) => !arg.startsWith('-'));
  const help = error.code === 'commander.unknownCommand' || command === undefined ? 'ship --help' : `ship ${command} --help`;
  return hint ? `${base}; ${hint.charAt(0).toLowerCase()}${hint.slice(1)}` : `${base}; see ${help}.`;
}
