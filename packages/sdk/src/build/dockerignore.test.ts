import { describe, expect, test } from 'vitest';
import { compilePattern, DockerignoreMatcher, parseDockerignore } from './dockerignore.js';

describe('parseDockerignore', () => {
  test('drops comments and blanks, cleans paths, keeps order and negations', () => {
    const text = '\uFEFF# comment\n\n  node_modules  \r\n/dist/\n! keep.txt\n./a/../b/*.log\n #not a comment\n!\n';
    expect(parseDockerignore(text)).toEqual(['node_modules', 'dist', '!keep.txt', 'b/*.log', '#not a comment', '!']);
  });
});

describe('compilePattern', () => {
  test.each([
    ['*.py', '^[^/]*\\.py$'],
    ['**/*.pyc', '^(.*/)?[^/]*\\.pyc$'],
    ['docs/**', '^docs/.*$'],
    ['a?c', '^a[^/]c$'],
    ['file[0-9].txt', '^file[0-9]\\.txt$'],
    ['\\*literal', '^\\*literal$'],
  ])('%s', (pattern, source) => {
    expect(compilePattern(pattern)).toEqual(new RegExp(source));
  });
});

// Each row: .dockerignore lines, path, ignored? (cases from the docker docs and moby/patternmatcher's tests)
describe('DockerignoreMatcher.ignores', () => {
  test.each([
    [['*.md'], 'README.md', true],
    [['*.md'], 'docs/guide.md', false],
    [['*/*.md'], 'docs/guide.md', true],
    [['**/*.md'], 'docs/deep/guide.md', true],
    [['**/*.md'], 'README.md', true],
    [['**/__pycache__'], 'app/__pycache__/x.cpython-311.pyc', true],
    [['**/__pycache__'], '__pycache__', true],
    [['.git'], '.git/HEAD', true],
    [['.git'], 'sub/.git', false],
    [['node_modules'], 'node_modules/a/b.js', true],
    [['temp?'], 'temp1', true],
    [['temp?'], 'temp12', false],
    [['docs/**'], 'docs/a/b.txt', true],
    [['docs/**'], 'docs', false],
    [['**'], 'anything/at/all', true],
    [['*', '!app.py'], 'app.py', false],
    [['*', '!app.py'], 'tests/test_app.py', true],
    [['*.md', '!README.md'], 'README.md', false],
    [['*.md', '!README.md'], 'CHANGELOG.md', true],
    [['*.md', '!README.md', 'README*.md'], 'README.md', true],
    [['*', '!src', 'src/*.tmp'], 'src/main.py', false],
    [['*', '!src', 'src/*.tmp'], 'src/x.tmp', true],
    [['dir', '!dir/keep'], 'dir/keep', false],
    [['dir', '!dir/keep'], 'dir/keep/inner.txt', false],
    [['dir', '!dir/keep'], 'dir/other', true],
    [['/abs/path'], 'abs/path', true],
    [['a/../b'], 'b', true],
    [['file[0-9].txt'], 'file7.txt', true],
    [['file[0-9].txt'], 'filex.txt', false],
    [['\\!literal'], '!literal', true],
    [['*.py[co]'], 'x.pyc', true],
    [[], 'anything', false],
  ])('%j ignores %s: %s', (lines, path, ignored) => {
    expect(DockerignoreMatcher.fromText(lines.join('\n')).ignores(path)).toBe(ignored);
  });
});

describe('DockerignoreMatcher.mayReincludeUnder', () => {
  test.each([
    [['dir', '!dir/keep'], 'dir', true],
    [['dir', '!dir/keep'], 'other', false],
    [['*', '!src/app'], 'src', true],
    // The CLI's literal prefix rule: a wildcard re-include does not open an ignored directory.
    [['vendor', '!**/LICENSE'], 'vendor', false],
    [['vendor'], 'vendor', false],
  ])('%j under %s: %s', (lines, directory, expected) => {
    expect(DockerignoreMatcher.fromText(lines.join('\n')).mayReincludeUnder(directory)).toBe(expected);
  });
});
