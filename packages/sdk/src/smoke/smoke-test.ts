import type { Agent } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import type { EngineOptions } from '../engine/client.js';
import type { HealthState } from '../engine/containers.js';
import { AbortedError, EngineUnavailableError, throwIfAborted } from '../errors.js';
import { inPhase, type ProgressListener } from '../progress.js';
import { type RunContainerOptions, type RunningContainer, runContainer } from '../run/run-container.js';
import { loadUndici } from '../undici.js';
import { type Answer, bodyExcerpt, judgeAnswer, type Mismatch, pollDelay } from './judge.js';

export interface SmokeOptions extends EngineOptions {
  image: string;
  /** The container port the app listens on. Default 5000. */
  port?: number | undefined;
  /** Default `/`. */
  path?: string | undefined;
  /** Default 200. */
  expectStatus?: number | undefined;
  /** A substring the body must contain, or a RegExp it must match. */
  expectBody?: string | RegExp | undefined;
  /** From the start of the call to the verdict. Default 30000. */
  timeoutMs?: number | undefined;
  /**
   * A wrong answer (other than 502/503/504, which are waited out) that stays the same this
   * long fails the test before the timeout. Default 3000.
   */
  settleMs?: number | undefined;
  env?: Record<string, string> | undefined;
  command?: string[] | undefined;
  runId?: string | undefined;
  pull?: RunContainerOptions['pull'] | undefined;
  auth?: RunContainerOptions['auth'] | undefined;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /**
   * @internal Takes over waiting for the container's removal, so `release` can push while the
   * engine removes it; the caller must await the promise. Default: the call awaits it itself.
   */
  removeInBackground?: ((removed: Promise<void>) => void) | undefined;
}

export interface SmokeResult {
  status: 'passed' | 'failed';
  /** The URL checked; empty when the container stopped before its port was published. */
  url: string;
  httpStatus?: number;
  body?: string;
  /** From the call to the verdict, container start included. */
  durationMs: number;
  reason?: string;
  /** The container's last log lines (always on failure, also on success). */
  logs?: string;
  /** The image's HEALTHCHECK state at the verdict: `starting` when no check has run yet. */
  health?: HealthState;
  exitCode?: number;
  /** HTTP tries made. */
  attempts: number;
  container: string;
}

const LOG_TAIL = 50;
const BODY_LIMIT = 64 * 1024;
/**
 * Probes in flight at once. While a container is starting, docker-proxy sometimes accepts a
 * connection whose request then hangs; instead of waiting on it, the next poll sends another
 * request, so the verdict still lands within a poll interval of the app answering.
 */
const MAX_IN_FLIGHT = 4;
/** A single request may take this long (a slow first answer is fine; a hung one is abandoned). */
const PROBE_TIMEOUT_MS = 10_000;

type Probe = { kind: 'answer'; answer: Answer } | { kind: 'no-answer'; error: string };

/** One GET; any failure to get an answer (reset, refused, timeout) is a `no-answer`, never a throw. */
async function probe(url: string, dispatcher: Agent, signal: AbortSignal): Promise<Probe> {
  const { request } = await loadUndici();
  try {
    const response = await request(url, { method: 'GET', dispatcher, signal });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      if (size < BODY_LIMIT) chunks.push(buffer.subarray(0, BODY_LIMIT - size));
      size += buffer.length;
    }
    return { kind: 'answer', answer: { status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') } };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { kind: 'no-answer', error: typeof code === 'string' ? code : error instanceof Error ? error.message : String(error) };
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function lastLine(logs: string): string | undefined {
  return logs
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
}

/**
 * Starts the image, waits for its port, and checks one HTTP endpoint. Resolves with
 * `status: 'failed'` (and the reason and logs) when the app answers wrongly, never answers,
 * exits or turns unhealthy; rejects only for bad input, a missing image, an unreachable engine
 * or an abort. The container is removed in every case.
 */
export async function smokeTest(o: SmokeOptions): Promise<SmokeResult> {
  throwIfAborted(o.signal);
  const clock = o.clock ?? systemClock;
  const port = o.port ?? 5000;
  const path = o.path?.startsWith('/') ? o.path : `/${o.path ?? ''}`;
  const expectation = { status: o.expectStatus ?? 200, ...(o.expectBody === undefined ? {} : { body: o.expectBody }) };
  const timeoutMs = o.timeoutMs ?? 30_000;
  const settleMs = o.settleMs ?? 3_000;
  const started = clock.now();
  const deadline = started + timeoutMs;
  // Set once the container runs; removed after the verdict (the phase ends at the verdict).
  let cleanup: (() => Promise<void>) | undefined;
  try {
    return await inPhase(
      'smoke',
      `Smoke testing ${o.image}: GET ${path} on port ${port}`,
      { onProgress: o.onProgress, clock, failed: (message) => `Smoke test stopped: ${message}` },
      async () => {
        const container = await runContainer({ ...o, ports: [port], purpose: 'smoke' });
        const lost = (error: unknown) => engineLostDuringSmoke(error, container.name);
        const { Agent } = await loadUndici();
        const dispatcher = new Agent({ connect: { timeout: 2_000 }, keepAliveTimeout: 1_000 });
        // Wakes the poll loop's sleep the moment the container exits, so an exit fails fast.
        const wake = new AbortController();
        const stopWaiting = new AbortController();
        const stopLogs = o.onProgress
          ? container.streamLogs((line) => o.onProgress?.({ type: 'log', phase: 'smoke', line }))
          : undefined;
        let exited: { exitCode: number } | undefined;
        container
          .wait({ signal: stopWaiting.signal })
          .then((result) => {
            exited = result;
            wake.abort();
          })
          .catch(() => {});
        cleanup = async () => {
          stopLogs?.();
          stopWaiting.abort();
          const removed = container.remove().catch((error: unknown) => {
            throw lost(error);
          });
          if (o.removeInBackground) o.removeInBackground(removed);
          else await removed;
          await dispatcher.destroy().catch(() => {});
        };
        return await check(container, {
          ...o,
          clock,
          port,
          path,
          expectation,
          settleMs,
          deadline,
          started,
          dispatcher,
          wake: wake.signal,
          exited: () => exited,
          finish: (result) => ({ ...result, durationMs: clock.now() - started, container: container.name }),
        }).catch((error: unknown) => {
          throw lost(error);
        });
      },
      (result) => ({
        ok: result.status === 'passed',
        message:
          result.status === 'passed'
            ? `Smoke test passed: ${result.url} answered ${result.httpStatus}`
            : `Smoke test failed: ${result.reason}`,
      }),
    );
  } finally {
    await cleanup?.();
  }
}

/**
 * The engine stopped answering while the smoke container ran, so it could not be removed: say
 * that it may still be running and how to remove it once the engine is back. Other errors pass.
 */
export function engineLostDuringSmoke(error: unknown, container: string): unknown {
  if (!(error instanceof EngineUnavailableError)) return error;
  return new EngineUnavailableError(
    `The engine stopped answering during the smoke test (${error.message.replace(/\.$/, '')}), so the container ${container} may still be running; once the engine answers again, 'ship clean' removes it.`,
    { cause: error },
  );
}

interface CheckContext extends SmokeOptions {
  clock: Clock;
  port: number;
  path: string;
  expectation: { status: number; body?: string | RegExp };
  settleMs: number;
  deadline: number;
  started: number;
  dispatcher: Agent;
  wake: AbortSignal;
  exited: () => { exitCode: number } | undefined;
  finish: (result: Omit<SmokeResult, 'durationMs' | 'container'>) => SmokeResult;
}

async function check(container: RunningContainer, c: CheckContext): Promise<SmokeResult> {
  const hostPort = container.ports[0]?.hostPort ?? 0;
  const url = hostPort ? `${container.urlFor(c.port)}${c.path}` : '';
  const userSignals = c.signal ? [c.signal] : [];
  let attempts = 0;
  let mismatch: Mismatch | undefined;
  let lastAnswer: Answer | undefined;
  let lastError: string | undefined;
  let nextProbeAt = c.clock.now();
  const inFlight = new Map<number, Promise<{ number: number; result: Probe }>>();
  // Aborted when the check ends: cancels every probe still in flight and its timer.
  const stopProbes = new AbortController();
  const tail = () => container.logs({ tail: LOG_TAIL });
  const lastAnswered = () => (lastAnswer ? { httpStatus: lastAnswer.status, body: bodyExcerpt(lastAnswer.body, 2_000) } : {});

  const startProbe = (remaining: number) => {
    const number = ++attempts;
    const timeout = new AbortController();
    const done = AbortSignal.any([timeout.signal, stopProbes.signal]);
    c.clock.sleep(Math.min(PROBE_TIMEOUT_MS, remaining), done).then(
      () => timeout.abort(),
      () => {},
    );
    const running = probe(url, c.dispatcher, AbortSignal.any([done, ...userSignals])).then((result) => {
      timeout.abort();
      return { number, result };
    });
    inFlight.set(number, running);
  };

  const exitedResult = async (exitCode: number): Promise<SmokeResult> => {
    const logs = await tail();
    // A crash says why on stderr; prefer its last line, as the combined order of the two can flip.
    const line = lastLine(await container.logs({ tail: LOG_TAIL, stderrOnly: true })) ?? lastLine(logs);
    return c.finish({
      status: 'failed',
      url,
      attempts,
      exitCode,
      logs,
      reason: `The container exited with code ${exitCode} before the check passed${line ? `; its last log line: ${line}` : '; it printed nothing'}.`,
      ...lastAnswered(),
    });
  };

  try {
    for (;;) {
      if (c.signal?.aborted) throw new AbortedError('The smoke test was aborted.', { cause: c.signal.reason });
      const gone = c.exited();
      if (gone) return await exitedResult(gone.exitCode);
      const state = await container.inspect();
      if (!state) return await exitedResult(-1);
      if (!state.running) return await exitedResult(state.exitCode);
      if (state.health === 'unhealthy') {
        return c.finish({
          status: 'failed',
          url,
          attempts,
          health: 'unhealthy',
          logs: await tail(),
          reason: `The image's HEALTHCHECK reports unhealthy${state.healthLog ? `: ${bodyExcerpt(state.healthLog)}` : ''}.`,
          ...lastAnswered(),
        });
      }

      const remaining = c.deadline - c.clock.now();
      if (remaining <= 0) {
        const waited = seconds(c.deadline - c.started);
        const reason = mismatch
          ? `${mismatch.reason}, until the ${waited} timeout.`
          : `Nothing answered on port ${c.port} within ${waited} (last error: ${lastError ?? 'none'}); make sure the app listens on 0.0.0.0:${c.port} inside the container, or raise the timeout.`;
        return c.finish({ status: 'failed', url, attempts, health: state.health, logs: await tail(), reason, ...lastAnswered() });
      }

      // One probe per poll interval, whether the last one failed at once or still hangs.
      const now = c.clock.now();
      if (url && inFlight.size < MAX_IN_FLIGHT && now >= nextProbeAt) {
        startProbe(remaining);
        nextProbeAt = now + pollDelay(now - c.started);
      }

      const tick = new AbortController();
      const slept = c.clock.sleep(Math.max(0, nextProbeAt - now), AbortSignal.any([tick.signal, c.wake, ...userSignals])).then(
        () => undefined,
        () => undefined,
      );
      const done = await Promise.race([slept, ...inFlight.values()]);
      tick.abort();
      if (!done) continue;
      inFlight.delete(done.number);
      if (done.result.kind === 'no-answer') {
        lastError = done.result.error;
        continue;
      }
      const answer = done.result.answer;
      lastAnswer = answer;
      const judgement = judgeAnswer({
        answer,
        expect: c.expectation,
        path: c.path,
        previous: mismatch,
        now: c.clock.now(),
        settleMs: c.settleMs,
      });
      if (judgement.verdict === 'wait') {
        mismatch = judgement.mismatch;
        continue;
      }
      if (judgement.verdict === 'fail') {
        return c.finish({
          status: 'failed',
          url,
          attempts,
          health: state.health,
          ...lastAnswered(),
          logs: await tail(),
          reason: `${judgement.reason}.`,
        });
      }
      // Passed: one more look at the HEALTHCHECK, without waiting for its next run.
      const after = await container.inspect();
      const health = after?.health ?? state.health;
      if (health === 'unhealthy') {
        return c.finish({
          status: 'failed',
          url,
          attempts,
          health,
          ...lastAnswered(),
          logs: await tail(),
          reason: `The app answered but the image's HEALTHCHECK reports unhealthy${after?.healthLog ? `: ${bodyExcerpt(after.healthLog)}` : ''}.`,
        });
      }
      return c.finish({ status: 'passed', url, attempts, health, ...lastAnswered(), logs: await tail() });
    }
  } finally {
    stopProbes.abort();
  }
}
