import { describe, expect, test } from 'vitest';
import { formatDate } from './date-format.js';
import { ociLabels } from './oci-labels.js';
import { parsePep440 } from './pep440.js';
import { planTags } from './plan.js';
import { parseFlavor, parseRules, splitFields } from './rules.js';

describe('planTags explains what it skipped', () => {
  test('a hotfix on an old line names the newer release that holds each floating tag', () => {
    const plan = planTags({ images: ['app'], version: '1.3.5', existingTags: ['1.4.0', '2.0.0', 'latest'], now: 0 });
    expect(plan.tags).toEqual(['app:1.3.5', 'app:1.3']);
    expect(plan.skipped).toEqual([
      { tag: 'app:1', reason: 'app:1.4.0 already exists and is newer than 1.3.5, so 1 stays where it is.', newer: 'app:1.4.0' },
      {
        tag: 'app:latest',
        reason: 'app:2.0.0 already exists and is newer than 1.3.5, so latest stays where it is.',
        newer: 'app:2.0.0',
      },
    ]);
    expect(plan.floating).toEqual(['app:1.3']);
  });

  test('turned-off latest and floating tags are listed per image', () => {
    const plan = planTags({ images: ['a', 'b'], version: 'v2.1.0', latest: false, floating: false, now: 0 });
    expect(plan.tags).toEqual(['a:2.1.0', 'b:2.1.0']);
    expect(plan.floating).toEqual([]);
    expect(plan.skipped.map((s) => s.tag)).toEqual(['a:2.1', 'b:2.1', 'a:2', 'b:2', 'a:latest', 'b:latest']);
  });

  test('a semver rule over a tag that is not X.Y.Z says so instead of silently making nothing', () => {
    const plan = planTags({
      images: ['app'],
      rules: ['type=semver,pattern={{version}}'],
      git: { ref: 'refs/tags/v1.6' },
      now: 0,
    });
    expect(plan.tags).toEqual([]);
    expect(plan.version).toBe('');
    expect(plan.skipped).toEqual([
      {
        tag: 'type=semver,pattern={{version}}',
        reason: '"v1.6" is not a full semantic version (X.Y.Z), so this rule made no tag.',
      },
    ]);
  });

  test('type=edge without a known default branch asks for branch=', () => {
    const plan = planTags({ images: ['app'], rules: ['type=edge'], git: { ref: 'refs/heads/main' }, now: 0 });
    expect(plan.tags).toEqual([]);
    expect(plan.skipped[0]?.reason).toMatch(/default branch is unknown/);
  });

  test('the plan carries the main tag as version and OCI labels for the build', () => {
    const plan = planTags({
      images: ['app'],
      version: 'v1.2.3',
      git: { sha: 'abc123', sourceUrl: 'https://github.com/acme/shop', title: 'shop', license: 'MIT' },
      now: '2024-05-01T12:00:00Z',
    });
    expect(plan.version).toBe('1.2.3');
    expect(plan.labels).toEqual({
      'org.opencontainers.image.created': '2024-05-01T12:00:00.000Z',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.revision': 'abc123',
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.title': 'shop',
      'org.opencontainers.image.url': 'https://github.com/acme/shop',
      'org.opencontainers.image.version': '1.2.3',
    });
  });
});

describe('the created label', () => {
  test.each([
    ['the commit date when the git context knows it', { commitDate: '2024-03-02T10:20:30+01:00' }, '2024-03-02T09:20:30.000Z'],
    ['the clock otherwise', {}, '2024-05-01T12:00:00.000Z'],
  ])('is %s', (_case, git, created) => {
    const plan = planTags({ images: ['app'], version: '1.0.0', git, now: '2024-05-01T12:00:00Z' });
    expect(plan.labels['org.opencontainers.image.created']).toBe(created);
  });
});

describe('ociLabels', () => {
  test('explicit values win over the git context and empty values are left out', () => {
    expect(ociLabels({ git: { title: 'shop', description: '' }, title: 'Shop API', version: '2.0.0', created: 0 })).toEqual({
      'org.opencontainers.image.created': '1970-01-01T00:00:00.000Z',
      'org.opencontainers.image.title': 'Shop API',
      'org.opencontainers.image.version': '2.0.0',
    });
  });
});

describe('rule and flavor parsing', () => {
  test.each([
    ['type=raw,value=a', ['type=raw', 'value=a']],
    ['type=match,"pattern=a,b",group=1', ['type=match', 'pattern=a,b', 'group=1']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['type=raw,,foo,', ['type=raw', 'foo']],
  ])('splitFields(%s)', (line, fields) => {
    expect(splitFields(line, 'test')).toEqual(fields);
  });

  test('rules are ordered by priority, ties keep their order, defaults are applied', () => {
    const rules = parseRules([
      'type=sha',
      'type=raw,b',
      'type=ref,event=pr',
      'type=raw,a,priority=5000',
      'type=semver,pattern={{version}}',
    ]);
    expect(rules.map((r) => [r.type, r.priority])).toEqual([
      ['raw', 5000],
      ['semver', 900],
      ['ref', 600],
      ['raw', 200],
      ['sha', 100],
    ]);
    expect(rules[2]?.attrs.prefix).toBe('pr-');
    expect(rules[4]?.attrs).toMatchObject({ prefix: 'sha-', format: 'short', enable: 'true' });
  });

  test('no rules means metadata-action defaults', () => {
    expect(parseRules([]).map((r) => r.source)).toEqual([
      'type=schedule',
      'type=ref,event=branch',
      'type=ref,event=tag',
      'type=ref,event=pr',
    ]);
  });

  test('onlatest applies to the prefix or suffix before it on the same line', () => {
    expect(parseFlavor(['latest=false', 'prefix=app-,onlatest=true', 'suffix=-slim'])).toEqual({
      latest: 'false',
      prefix: 'app-',
      prefixLatest: true,
      suffix: '-slim',
      suffixLatest: false,
    });
  });
});

describe('formatDate (moment tokens)', () => {
  const date = new Date('2020-01-10T00:30:05.042Z');
  test.each([
    ['YYYYMMDD', 'UTC', '20200110'],
    ['YYYY-MM-DD[T]HH:mm:ss.SSS', 'UTC', '2020-01-10T00:30:05.042'],
    ['YYYYMMDD-HHmmss', 'Asia/Tokyo', '20200110-093005'],
    ['YY.M.D h:mm a', 'America/New_York', '20.1.9 7:30 pm'],
    ['DD MMM YYYY', 'UTC', '10 Jan 2020'],
    ['YYYY-MM-DDTHH:mm:ssZ', 'UTC', '2020-01-10T00:30:05Z'],
    ['HH:mm ZZ', 'Asia/Kolkata', '06:00 +0530'],
    ['X', 'UTC', '1578616205'],
  ])('%s in %s', (format, tz, expected) => {
    expect(formatDate(date, format, tz)).toBe(expected);
  });
});

describe('parsePep440', () => {
  test.each([
    ['v1.1.1', '1.1.1', false],
    ['1.1beta2', '1.1b2', true],
    ['1.0dev4', '1.0.dev4', true],
    ['1.2post1', '1.2.post1', true],
    ['1.0-1', '1.0.post1', true],
    ['1!2.0c1', '1!2.0rc1', true],
    ['2.0+Ubuntu-1', '2.0+ubuntu.1', false],
  ])('%s → %s', (input, normalized, special) => {
    expect(parsePep440(input)).toMatchObject({ normalized, isSpecial: special });
  });

  test('not PEP 440', () => {
    expect(parsePep440('sometag')).toBeUndefined();
  });
});
