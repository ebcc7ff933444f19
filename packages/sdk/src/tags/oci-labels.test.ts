import { describe, expect, test } from 'vitest';
import { sourceDateEpoch } from './oci-labels.js';
import { planTags } from './plan.js';

describe('sourceDateEpoch', () => {
  test.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['0', '1970-01-01T00:00:00.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    [' 1700000000\n', '2023-11-14T22:13:20.000Z'],
  ])('%j gives %s', (value, expected) => {
    expect(sourceDateEpoch(value === undefined ? {} : { SOURCE_DATE_EPOCH: value })?.toISOString()).toBe(expected);
  });

  test.each(['yesterday', '-5', '1.5', '17e8'])('%j is refused with the fix', (value) => {
    expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: value })).toThrow(
      `SOURCE_DATE_EPOCH is "${value}", not a number of seconds since 1970; set it to a whole number such as $(git log -1 --format=%ct) or unset it.`,
    );
  });
});

describe('the created label', () => {
  const created = (options: Partial<Parameters<typeof planTags>[0]>) =>
    planTags({ images: ['app'], version: '1.0.0', now: '2030-01-01T00:00:00Z', ...options }).labels[
      'org.opencontainers.image.created'
    ];

  test('created wins over the commit date, which wins over now', () => {
    const git = { commitDate: '2026-05-01T10:00:00+02:00' };
    expect(created({ git, created: new Date(1_700_000_000_000) })).toBe('2023-11-14T22:13:20.000Z');
    expect(created({ git })).toBe('2026-05-01T08:00:00.000Z');
    expect(created({})).toBe('2030-01-01T00:00:00.000Z');
  });
});
