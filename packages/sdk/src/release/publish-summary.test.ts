import { describe, expect, test } from 'vitest';
import { type PublishEntry, summarizePublish } from './publish-summary.js';

const ok = (repository: string): PublishEntry => ({
  registry: repository.split('/')[0] ?? '',
  repository,
  refs: [`${repository}:1.0.0`],
  digest: 'sha256:abc',
  ok: true,
  durationMs: 10,
});
const failed = (repository: string, error: string, refs: string[] = [], failedRefs = [`${repository}:1.0.0`]): PublishEntry => ({
  registry: repository.split('/')[0] ?? '',
  repository,
  refs,
  failedRefs,
  ok: false,
  error,
  durationMs: 10,
});
const unauthorized = 'Pushing to localhost:5002 was refused (unauthorized); log in with ship login localhost:5002.';

describe('summarizePublish', () => {
  test.each([
    ['nothing to publish', [], { ok: true, succeeded: [], failed: [], published: [], unpublished: [] }],
    [
      'one success',
      [ok('r1/app')],
      { ok: true, succeeded: ['r1/app'], failed: [], published: ['r1/app:1.0.0'], unpublished: [] },
    ],
    [
      'two successes',
      [ok('r1/app'), ok('r2/app')],
      { ok: true, succeeded: ['r1/app', 'r2/app'], failed: [], published: ['r1/app:1.0.0', 'r2/app:1.0.0'], unpublished: [] },
    ],
    [
      'one of two failed: the failure is named, the success reported',
      [ok('r1/app'), failed('r2/app', unauthorized)],
      {
        ok: false,
        succeeded: ['r1/app'],
        failed: ['r2/app'],
        published: ['r1/app:1.0.0'],
        unpublished: ['r2/app:1.0.0'],
        message:
          'Publishing to 1 of 2 repositories failed: r2/app: Pushing to localhost:5002 was refused (unauthorized); log in with ship login localhost:5002; published r1/app:1.0.0; r2/app:1.0.0 failed; fix it and release again.',
      },
    ],
    [
      'the only one failed',
      [failed('r2/app', 'boom.')],
      {
        ok: false,
        succeeded: [],
        failed: ['r2/app'],
        published: [],
        unpublished: ['r2/app:1.0.0'],
        message:
          'Publishing to 1 of 1 repository failed: r2/app: boom; nothing was published; 1.0.0 failed; fix it and release again.',
      },
    ],
    [
      'several failed, one succeeded',
      [failed('r1/app', 'denied'), ok('r2/app'), failed('r3/app', 'timeout'), ok('r4/app')],
      {
        ok: false,
        succeeded: ['r2/app', 'r4/app'],
        failed: ['r1/app', 'r3/app'],
        published: ['r2/app:1.0.0', 'r4/app:1.0.0'],
        unpublished: ['r1/app:1.0.0', 'r3/app:1.0.0'],
        message:
          'Publishing to 2 of 4 repositories failed (and 1 more: r3/app): r1/app: denied; published r2/app:1.0.0, r4/app:1.0.0; r1/app:1.0.0, r3/app:1.0.0 failed; fix them and release again.',
      },
    ],
    [
      'the exact tag went in, a floating one failed: the tags are named, short',
      [failed('r1/app', 'HTTP 500', ['r1/app:1.0.0'], ['r1/app:1.0', 'r1/app:1', 'r1/app:latest'])],
      {
        ok: false,
        succeeded: [],
        failed: ['r1/app'],
        published: ['r1/app:1.0.0'],
        unpublished: ['r1/app:1.0', 'r1/app:1', 'r1/app:latest'],
        message:
          'Publishing to 1 of 1 repository failed: r1/app: HTTP 500; published 1.0.0; 1.0, 1, latest failed; fix it and release again.',
      },
    ],
  ])('%s', (_name, entries, summary) => {
    expect(summarizePublish(entries)).toEqual(summary);
  });
});
