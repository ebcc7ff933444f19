import { describe, expect, test } from 'vitest';
import { bodyExcerpt, bodyMatches, judgeAnswer, type Mismatch, pollDelay } from './judge.js';

describe('bodyMatches', () => {
  test.each([
    ['hello world', undefined, true],
    ['hello world', 'world', true],
    ['hello world', 'World', false],
    ['', '', true],
    ['{"status":"ok"}', '"status":"ok"', true],
    ['hello world', /^hello/, true],
    ['hello world', /^world/, false],
    ['Hello', /hello/i, true],
    ['line1\nline2', /line1$/m, true],
  ] as const)('%j against %s → %s', (body, expected, result) => {
    expect(bodyMatches(body, expected)).toBe(result);
  });

  test('a global RegExp matches the same way every time (lastIndex is reset)', () => {
    const pattern = /ok/g;
    expect([bodyMatches('ok', pattern), bodyMatches('ok', pattern), bodyMatches('ok', pattern)]).toEqual([true, true, true]);
  });
});

describe('bodyExcerpt', () => {
  test.each([
    ['', 10, ''],
    ['  a\n\tb  ', 10, 'a b'],
    ['0123456789abc', 10, '012345678…'],
    ['0123456789', 10, '0123456789'],
  ])('%j (max %i) → %j', (body, max, excerpt) => {
    expect(bodyExcerpt(body, max)).toBe(excerpt);
  });
});

describe('judgeAnswer', () => {
  const expect200 = { status: 200 };
  const wrong500: Mismatch = { status: 500, bodyMatched: true, since: 1_000, reason: '' };
  const wrong503: Mismatch = { status: 503, bodyMatched: true, since: 1_000, reason: '' };

  test.each([
    ['right status, no body check', { status: 200, body: 'x' }, expect200, undefined, 5_000, { verdict: 'pass' }],
    [
      'right status and body',
      { status: 200, body: 'Hello ship' },
      { status: 200, body: 'ship' },
      undefined,
      5_000,
      { verdict: 'pass' },
    ],
    ['expected non-200 status', { status: 204, body: '' }, { status: 204 }, undefined, 5_000, { verdict: 'pass' }],
    [
      'first 500 waits',
      { status: 500, body: 'boom' },
      expect200,
      undefined,
      5_000,
      {
        verdict: 'wait',
        mismatch: { status: 500, bodyMatched: true, since: 5_000, reason: 'GET / answered 500 instead of 200: boom' },
      },
    ],
    [
      'the same 500 for less than settleMs still waits',
      { status: 500, body: 'boom' },
      expect200,
      wrong500,
      2_999,
      {
        verdict: 'wait',
        mismatch: { status: 500, bodyMatched: true, since: 1_000, reason: 'GET / answered 500 instead of 200: boom' },
      },
    ],
    [
      'the same 500 for settleMs fails',
      { status: 500, body: 'boom' },
      expect200,
      wrong500,
      3_000,
      { verdict: 'fail', reason: 'GET / answered 500 instead of 200: boom (the same for 2 s)' },
    ],
    [
      'a different wrong status restarts the clock',
      { status: 404, body: '' },
      expect200,
      wrong500,
      9_000,
      {
        verdict: 'wait',
        mismatch: {
          status: 404,
          bodyMatched: true,
          since: 9_000,
          reason: 'GET / answered 404 instead of 200 with an empty body',
        },
      },
    ],
    [
      '503 is waited out however long it lasts',
      { status: 503, body: 'warming up' },
      expect200,
      wrong503,
      60_000,
      {
        verdict: 'wait',
        mismatch: { status: 503, bodyMatched: true, since: 1_000, reason: 'GET / answered 503 instead of 200: warming up' },
      },
    ],
    [
      'right status, wrong body, persistent',
      { status: 200, body: 'Hello' },
      { status: 200, body: /ship/ },
      { status: 200, bodyMatched: false, since: 0, reason: '' },
      2_500,
      { verdict: 'fail', reason: 'GET / answered 200 without a body matching /ship/: Hello (the same for 2.5 s)' },
    ],
    [
      'right status, wrong body after a wrong status restarts the clock',
      { status: 200, body: 'Hello' },
      { status: 200, body: 'ship' },
      wrong500,
      9_000,
      {
        verdict: 'wait',
        mismatch: {
          status: 200,
          bodyMatched: false,
          since: 9_000,
          reason: 'GET / answered 200 without a body containing "ship": Hello',
        },
      },
    ],
  ] as const)('%s', (_name, answer, expectation, previous, now, judgement) => {
    expect(judgeAnswer({ answer, expect: expectation, path: '/', previous, now, settleMs: 2_000 })).toEqual(judgement);
  });
});

describe('pollDelay', () => {
  test.each([
    [0, 50],
    [2_999, 50],
    [3_000, 250],
    [5_999, 250],
    [6_000, 500],
    [60_000, 500],
  ])('%i ms after start → %i ms', (elapsed, delay) => {
    expect(pollDelay(elapsed)).toBe(delay);
  });
});
