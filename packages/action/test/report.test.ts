import { describe, expect, test } from 'vitest';
import {
  commentMarker,
  describeSmoke,
  formatBytes,
  formatDuration,
  type RunReport,
  renderComment,
  renderSummary,
  upsertReleaseSection,
} from '../src/report.js';

const report: RunReport = {
  image: 'localhost:5002/acme/shop',
  version: '1.2.3',
  tags: ['localhost:5002/acme/shop:1.2.3', 'localhost:5002/acme/shop:1.2'],
  pushed: true,
  imageId: 'sha256:aaaa',
  digest: 'sha256:bbbb',
  imageRef: 'localhost:5002/acme/shop@sha256:bbbb',
  size: 154_987_000,
  layers: 11,
  smoke: { status: 'passed', url: 'http://127.0.0.1:32771/', httpStatus: 200, durationMs: 612 },
  durations: [
    { phase: 'lint', ms: 12 },
    { phase: 'build', ms: 8_432 },
    { phase: 'smoke', ms: 1_204 },
    { phase: 'push', ms: 2_950 },
  ],
};

test.each([
  [0, '0 B'],
  [999, '999 B'],
  [1_000, '1.0 kB'],
  [154_987_000, '155.0 MB'],
  [2_500_000_000, '2.5 GB'],
])('formatBytes(%d) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

test.each([
  [12, '12 ms'],
  [999.6, '1000 ms'],
  [1_204, '1.2 s'],
  [65_000, '65.0 s'],
])('formatDuration(%d) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

test.each([
  [{ status: 'skipped' } as const, 'skipped'],
  [
    { status: 'passed', url: 'http://127.0.0.1:1/healthz', httpStatus: 200, durationMs: 500 } as const,
    '✅ passed (HTTP 200 from /healthz in 500 ms)',
  ],
  [
    { status: 'failed', url: 'http://127.0.0.1:1/', httpStatus: 500, reason: 'expected HTTP 200' } as const,
    '❌ failed (HTTP 500 from /): expected HTTP 200',
  ],
  [{ status: 'failed', reason: 'the container exited with code 1' } as const, '❌ failed: the container exited with code 1'],
])('describeSmoke %#', (smoke, text) => expect(describeSmoke(smoke)).toBe(text));

test('the summary has the tags, digest, size, layers, smoke result and a time per phase', () => {
  const summary = renderSummary(report);
  expect(summary).toContain('| Digest | `sha256:bbbb` |');
  expect(summary).toContain('`localhost:5002/acme/shop:1.2.3`<br>`localhost:5002/acme/shop:1.2`');
  expect(summary).toContain('| Size | 155.0 MB |');
  expect(summary).toContain('| Layers | 11 |');
  expect(summary).toContain('| Smoke test | ✅ passed (HTTP 200 from / in 612 ms) |');
  expect(summary).toContain('| build | 8.4 s |');
  expect(summary).toContain('| push | 3.0 s |');
});

test('a build that was not pushed says so', () => {
  const summary = renderSummary({ ...report, pushed: false, digest: undefined, imageRef: undefined });
  expect(summary).toContain('(not pushed)');
  expect(summary).toContain('| Digest | none (not pushed) |');
  expect(summary).not.toContain('Image ref');
});

test('a partial publish lists what the registry has and which tags failed', () => {
  const summary = renderSummary({
    ...report,
    pushed: false,
    tags: ['localhost:5002/acme/shop:1.2.3'],
    failedTags: ['localhost:5002/acme/shop:1.2', 'localhost:5002/acme/shop:1'],
  });
  expect(summary).toContain('| Tags | `localhost:5002/acme/shop:1.2.3` |');
  expect(summary).toContain(
    '| Failed tags | `localhost:5002/acme/shop:1.2`<br>`localhost:5002/acme/shop:1` (not in the registry) |',
  );
});

test('the comment starts with the marker of its image', () => {
  expect(renderComment(report).split('\n')[0]).toBe(commentMarker('localhost:5002/acme/shop'));
  expect(commentMarker('a/b')).not.toBe(commentMarker('a/c'));
});

describe('upsertReleaseSection', () => {
  test.each([
    [null, ''],
    ['', ''],
    ['Fixes #12.', 'Fixes #12.\n\n'],
    ['Fixes #12.\n\n\n', 'Fixes #12.\n\n'],
  ])('appends to %j', (body, prefix) => {
    const next = upsertReleaseSection(body, report) ?? '';
    expect(next.startsWith(`${prefix}<!-- container-ship:release:localhost:5002/acme/shop:start -->`)).toBe(true);
    expect(next).toContain('- `localhost:5002/acme/shop:1.2`');
    expect(next).toContain('- `localhost:5002/acme/shop@sha256:bbbb`');
    expect(next).toContain('Digest: `sha256:bbbb`');
  });

  test('is a no-op the second time', () => {
    const once = upsertReleaseSection('Notes', report);
    expect(upsertReleaseSection(once, report)).toBeUndefined();
  });

  test('replaces its own section in place and keeps what others wrote around it', () => {
    const once = `${upsertReleaseSection('Before', report)}\n\nAfter`;
    const twice = upsertReleaseSection(once, { ...report, digest: 'sha256:cccc' }) ?? '';
    expect(twice.startsWith('Before\n\n')).toBe(true);
    expect(twice.endsWith('\n\nAfter')).toBe(true);
    expect(twice).toContain('sha256:cccc');
    expect(twice.match(/:start -->/g)).toHaveLength(1);
  });

  test('two images get two sections', () => {
    const one = upsertReleaseSection('Notes', report);
    const two = upsertReleaseSection(one, { ...report, image: 'localhost:5002/acme/worker' }) ?? '';
    expect(two.match(/:start -->/g)).toHaveLength(2);
  });
});
