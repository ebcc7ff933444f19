/**
 * The pure half of the smoke test: does an HTTP answer pass, is a wrong answer persistent
 * enough to give up early, how long to wait before the next try. No clock, no network.
 */

export interface Expectation {
  status: number;
  body?: string | RegExp;
}

export interface Answer {
  status: number;
  body: string;
}

/** A wrong answer and when it was first seen; the same wrong answer keeps its first time. */
export interface Mismatch {
  status: number;
  bodyMatched: boolean;
  since: number;
  reason: string;
}

export type Judgement = { verdict: 'pass' } | { verdict: 'fail'; reason: string } | { verdict: 'wait'; mismatch: Mismatch };

/**
 * Statuses an app (or a proxy inside the image) gives while it is still starting: these are
 * waited out for the whole timeout. Any other wrong answer fails once it has been the same for
 * `settleMs`, since an app that says 500 or 404 for seconds on end will not change its mind.
 */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export function bodyMatches(body: string, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof expected === 'string') return body.includes(expected);
  expected.lastIndex = 0;
  return expected.test(body);
}

/** The start of a body on one line, for reasons and reports. */
export function bodyExcerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function describeBodyExpectation(expected: string | RegExp): string {
  return typeof expected === 'string' ? `a body containing ${JSON.stringify(expected)}` : `a body matching ${String(expected)}`;
}

function mismatchReason(answer: Answer, expect: Expectation, path: string): string {
  const excerpt = bodyExcerpt(answer.body);
  const said = excerpt ? `: ${excerpt}` : ' with an empty body';
  if (answer.status !== expect.status) return `GET ${path} answered ${answer.status} instead of ${expect.status}${said}`;
  return `GET ${path} answered ${answer.status} without ${describeBodyExpectation(expect.body ?? '')}${said}`;
}

/** Judges one answer given the wrong answer seen before it (if any). */
export function judgeAnswer(o: {
  answer: Answer;
  expect: Expectation;
  path: string;
  previous: Mismatch | undefined;
  now: number;
  settleMs: number;
}): Judgement {
  const bodyMatched = bodyMatches(o.answer.body, o.expect.body);
  if (o.answer.status === o.expect.status && bodyMatched) return { verdict: 'pass' };
  const reason = mismatchReason(o.answer, o.expect, o.path);
  const same = o.previous && o.previous.status === o.answer.status && o.previous.bodyMatched === bodyMatched;
  const since = same && o.previous ? o.previous.since : o.now;
  if (!TRANSIENT_STATUSES.has(o.answer.status) && o.now - since >= o.settleMs) {
    return { verdict: 'fail', reason: `${reason} (the same for ${Math.round((o.now - since) / 100) / 10} s)` };
  }
  return { verdict: 'wait', mismatch: { status: o.answer.status, bodyMatched, since, reason } };
}

/**
 * How long to wait before the next try, by time since the container started: 50 ms while
 * apps usually come up (the verdict lands within ~50 ms of the first good answer), then
 * backing off to 500 ms so a slow starter is not hammered.
 */
export function pollDelay(elapsedMs: number): number {
  if (elapsedMs < 3_000) return 50;
  if (elapsedMs < 6_000) return 250;
  return 500;
}
