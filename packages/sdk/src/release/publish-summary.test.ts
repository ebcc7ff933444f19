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
const failed = (repository: string, error: string): PublishEntry => ({
  registry: repository.split('/')[0] ?? '',
  repository,
  refs: [],
  ok: false,
  error,
  durationMs: 10,
});
const unauthorized = 'Pushing to localhost:5002 was refused (unauthorized); log in with ship login localhost:5002.';

describe('summarizePublish', () => {
  test.each([
    ['nothing to publish', [], { ok: true, succeeded: [], failed: [] }],
    ['one success', [ok('r1/app')], { ok: true, succeeded: ['r1/app'], failed: [] }],
    ['two successes', [ok('r1/app'), ok('r2/app')], { ok: true, succeeded: ['r1/app', 'r2/app'], failed: [] }],
    [
      'one of two failed: the failure is named, the success reported',
      [ok('r1/app'), failed('r2/app', unauthorized)],
      {
        ok: false,
        succeeded: ['r1/app'],
        failed: ['r2/app'],
        message:
          'Publishing to 1 of 2 repositories failed: r2/app: Pushing to localhost:5002 was refused (unauthorized); log in with ship login localhost:5002; r1/app was published; fix it and release again.',
      },
    ],
    [
      'the only one failed',
      [failed('r2/app', 'boom.')],
      {
        ok: false,
        succeeded: [],
        failed: ['r2/app'],
        message: 'Publishing to 1 of 1 repository failed: r2/app: boom; nothing was published; fix it and release again.',
      },
    ],
    [
      'several failed, one succeeded',
      [failed('r1/app', 'denied'), ok('r2/app'), failed('r3/app', 'timeout'), ok('r4/app')],
      {
        ok: false,
        succeeded: ['r2/app', 'r4/app'],
        failed: ['r1/app', 'r3/app'],
        message:
          'Publishing to 2 of 4 repositories failed (and 1 more: r3/app): r1/app: denied; r2/app, r4/app were published; fix them and release again.',
      },
    ],
  ])('%s', (_name, entries, summary) => {
    expect(summarizePublish(entries)).toEqual(summary);
  });
});
