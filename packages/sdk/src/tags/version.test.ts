import { describe, expect, test } from 'vitest';
import { versionFromGitRef } from './version.js';

describe('versionFromGitRef: a pushed X.Y.Z tag is the version shortcut', () => {
  test.each([
    ['refs/tags/v1.2.3', 'v1.2.3'],
    ['refs/tags/1.2.3', '1.2.3'],
    ['refs/tags/v2.0.0-rc.1', 'v2.0.0-rc.1'],
    ['refs/tags/1.2.3+build.7', '1.2.3+build.7'],
    ['refs/tags/release-2024', undefined],
    ['refs/tags/v1.2', undefined],
    ['refs/heads/main', undefined],
    ['refs/heads/v1.2.3', undefined],
    ['refs/pull/15/merge', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s gives %s', (ref, version) => {
    expect(versionFromGitRef(ref)).toBe(version);
  });
});
