import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@container-ship/test-utils';

/** The committed bundle, exactly what `action.yml` points the runner at. */
export const bundlePath = join(repoRoot, 'packages/action/dist/index.js');

export interface StepResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Every file the step wrote that a secret must never be in. */
  files: { outputs: string; state: string; summary: string };
}

/**
 * Runs the bundle the way the GitHub runner does: `node <main>` with inputs as `INPUT_<NAME>`
 * (upper case, dashes kept) and the runner's file commands (GITHUB_OUTPUT, GITHUB_STATE,
 * GITHUB_STEP_SUMMARY) in fresh temp files.
 */
export interface FakeRunnerOptions {
  /** The Node.js binary that runs the step (the runner's is Node 24); default this process's. */
  node?: string;
  /** The bundle to run; default the committed one. */
  bundle?: string;
  /** GITHUB_WORKSPACE and the step's working directory; default the repository. */
  workspace?: string;
}

export class FakeRunner {
  private constructor(
    readonly dir: string,
    readonly runnerTemp: string,
    readonly home: string,
    private readonly options: Required<FakeRunnerOptions>,
  ) {}

  static async create(options: FakeRunnerOptions = {}): Promise<FakeRunner> {
    const dir = await mkdtemp(join(tmpdir(), 'ship-action-runner-'));
    const runnerTemp = join(dir, 'runner-temp');
    const home = join(dir, 'home');
    await mkdir(runnerTemp);
    await mkdir(home);
    return new FakeRunner(dir, runnerTemp, home, {
      node: options.node ?? process.execPath,
      bundle: options.bundle ?? bundlePath,
      workspace: options.workspace ?? repoRoot,
    });
  }

  async writeEvent(name: string, payload: object): Promise<string> {
    const path = join(this.dir, `${name}.json`);
    await writeFile(path, JSON.stringify(payload));
    return path;
  }

  /**
   * The main step. `env` holds GITHUB_* settings; `inputs` are named as in action.yml.
   * `onOutput` sees stdout as it grows and may signal the process, as a cancelled job would.
   */
  main(
    inputs: Record<string, string>,
    env: Record<string, string> = {},
    onOutput?: (stdout: string, kill: (signal: NodeJS.Signals) => void) => void,
  ): Promise<StepResult> {
    const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));
    return this.step({ ...inputEnv, ...env }, onOutput);
  }

  /** The post step, given the state main saved (the runner passes it as STATE_<name>). */
  post(state: Record<string, string>): Promise<StepResult> {
    return this.step(Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value])));
  }

  private async step(
    env: Record<string, string>,
    onOutput?: (stdout: string, kill: (signal: NodeJS.Signals) => void) => void,
  ): Promise<StepResult> {
    const stepDir = await mkdtemp(join(this.dir, 'step-'));
    const files = { outputs: join(stepDir, 'output'), state: join(stepDir, 'state'), summary: join(stepDir, 'summary.md') };
    await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
    const child = spawn(this.options.node, [this.options.bundle], {
      cwd: this.options.workspace,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.home,
        ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_WORKSPACE: this.options.workspace,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '4242',
        GITHUB_OUTPUT: files.outputs,
        GITHUB_STATE: files.state,
        GITHUB_STEP_SUMMARY: files.summary,
        RUNNER_TEMP: this.runnerTemp,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      onOutput?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const [outputs, state, summary] = await Promise.all([
      readFile(files.outputs, 'utf8'),
      readFile(files.state, 'utf8'),
      readFile(files.summary, 'utf8'),
    ]);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseFileCommand(outputs),
      state: parseFileCommand(state),
      summary,
      files: { outputs, state, summary },
    };
  }
}

/** Reads a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIMITER`, the value's lines, `DELIMITER`. */
export function parseFileCommand(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name = '', delimiter] = match;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    values[name] = value.join('\n');
  }
  return values;
}
