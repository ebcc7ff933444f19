// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not template placeholders.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAppDir } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { formatLintJson, formatLintText, lintDockerfile, lintDockerfileText, lintExitCode } from './lint.js';
import { LINT_RULES } from './rules.js';

/** The lines on which `id` fires for a Dockerfile body. */
function linesFor(id: string, text: string, options: Parameters<typeof lintDockerfileText>[1] = {}): number[] {
  return lintDockerfileText(text, options)
    .findings.filter((f) => f.id === id)
    .map((f) => f.line);
}

describe('lint rules (positive and negative cases)', () => {
  test.each([
    // [id, Dockerfile, lines it fires on]
    ['CS001', 'FROM python\n', [1]],
    ['CS001', 'FROM registry.example.com:5000/team/app\n', [1]],
    ['CS001', 'FROM python:3.11-slim\n', []],
    ['CS001', 'FROM python@sha256:0123456789abcdef\n', []],
    ['CS001', 'FROM scratch\n', []],
    ['CS001', 'FROM python:3.11 AS base\nFROM base\n', []],
    ['CS001', 'ARG BASE=python\nFROM ${BASE}\n', [2]],
    ['CS001', 'ARG TAG=3.11\nFROM python:${TAG}\n', []],
    ['CS002', 'FROM python:latest\n', [1]],
    ['CS002', 'FROM localhost:5001/app:latest\n', [1]],
    ['CS002', 'FROM python:3.11-slim\n', []],
    ['CS003', 'FROM python:3.11-slim\nRUN pip install flask\n', [2]],
    ['CS003', 'FROM python:3.11-slim\nRUN python3 -m pip install -r requirements.txt\n', [2]],
    ['CS003', 'FROM python:3.11-slim\nRUN /opt/venv/bin/pip3 install x && echo ok\n', [2]],
    ['CS003', 'FROM python:3.11-slim\nRUN pip --python /opt/venv/bin/python install x\n', [2]],
    ['CS003', 'FROM python:3.11-slim\nRUN pip install --no-cache-dir flask\n', []],
    ['CS003', 'FROM python:3.11-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n', []],
    ['CS003', 'FROM python:3.11-slim\nRUN pip freeze\n', []],
    [
      'CS003',
      'FROM python:3.11-slim AS builder\nRUN pip install --prefix=/install x\nFROM python:3.11-slim\nCOPY --from=builder /install /usr/local\n',
      [],
    ],
    ['CS003', 'FROM python:3.11-slim AS base\nRUN pip install x\nFROM base\n', [2]],
    [
      'CS004',
      'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n',
      [2],
    ],
    [
      'CS004',
      'FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n',
      [],
    ],
    ['CS005', 'FROM debian:12\nRUN apt-get install -y curl=7.88.1-10\n', [2]],
    ['CS005', 'FROM debian:12\nRUN DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends curl=1\n', []],
    ['CS006', 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=1\n', [2]],
    [
      'CS006',
      'FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl=1 \\\n && rm -rf /var/lib/apt/lists/*\n',
      [],
    ],
    ['CS006', 'FROM debian:12 AS build\nRUN apt-get update\nFROM debian:12\nCOPY --from=build /x /x\n', []],
    ['CS007', 'FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install --no-cache-dir -r requirements.txt\n', [4]],
    ['CS007', 'FROM node:20\nCOPY . .\nRUN npm ci\n', [3]],
    [
      'CS007',
      'FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n',
      [],
    ],
    ['CS007', 'FROM python:3.11-slim\nCOPY . /app\nRUN python -m compileall /app\n', []],
    ['CS007', 'FROM python:3.11-slim AS b\nFROM python:3.11-slim\nCOPY --from=b . /app\nRUN pip install --no-cache-dir x\n', []],
    ['CS008', 'FROM python:3.11-slim\nCMD ["python"]\n', [1]],
    ['CS008', 'FROM python:3.11-slim\nUSER app\nUSER root\n', [3]],
    ['CS008', 'FROM python:3.11-slim\nUSER 0:0\n', [2]],
    ['CS008', 'FROM python:3.11-slim\nUSER root\nRUN id\nUSER app\n', []],
    ['CS008', 'FROM python:3.11-slim AS base\nUSER 10001\nFROM base\n', []],
    ['CS009', 'FROM python:3.11-slim\nCMD python app.py\n', [2]],
    ['CS009', 'FROM python:3.11-slim\nENTRYPOINT gunicorn app:app\n', [2]],
    ['CS009', 'FROM python:3.11-slim\nCMD ["python", "app.py"]\nENTRYPOINT ["tini", "--"]\n', []],
    ['CS010', 'FROM python:3.11-slim\nADD app.py /app/\n', [2]],
    ['CS010', 'FROM python:3.11-slim\nADD --chown=app . /app\n', [2]],
    ['CS010', 'FROM python:3.11-slim\nADD rootfs.tar.gz /\n', []],
    ['CS010', 'FROM python:3.11-slim\nADD https://example.com/x.py /x.py\n', []],
    ['CS011', 'FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh\n', [2]],
    ['CS011', 'FROM debian:12\nRUN set -o pipefail && curl -fsSL x | sh\n', []],
    ['CS011', 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL x | sh\n', []],
    ['CS011', 'FROM debian:12\nRUN test -f x || echo "a | b"\n', []],
    ['CS011', 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM debian:12\nRUN a | b\n', [4]],
    ['CS012', 'FROM python:3.11-slim\nENV DB_PASSWORD=hunter2\n', [2]],
    ['CS012', 'FROM python:3.11-slim\nARG GITHUB_TOKEN\n', [2]],
    ['CS012', 'FROM python:3.11-slim\nENV APP=1 AWS_SECRET_ACCESS_KEY=x\n', [2]],
    ['CS012', 'FROM python:3.11-slim\nENV API_KEY abc\n', [2]],
    ['CS012', 'FROM python:3.11-slim\nENV PASSWORD_FILE=/run/secrets/db PYTHONUNBUFFERED=1\n', []],
    ['CS012', 'FROM python:3.11-slim\nARG PYTHON_VERSION=3.11\nENV MONKEY=1\n', []],
    ['CS014', 'FROM python:3.11-slim\nUSER app\n', [1]],
    ['CS014', 'FROM python:3.11-slim\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n', []],
    ['CS014', 'FROM python:3.11-slim\nHEALTHCHECK NONE\n', []],
    ['CS014', 'FROM python:3.11-slim AS base\nHEALTHCHECK CMD true\nFROM base\n', []],
    ['CS014', 'FROM python:3.11-slim AS base\nHEALTHCHECK CMD true\nFROM python:3.11-slim\n', [3]],
    // The false alarms of issue 17, and the negative cases of the rules added with it.
    [
      'CS007',
      'FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install .\n',
      [],
    ],
    ['CS007', 'FROM python:3.11-slim\nCOPY . .\nRUN pip install --no-deps -e .\n', []],
    ['CS007', 'FROM python:3.11-slim\nCOPY . .\nRUN pip install .\n', [3]],
    ['CS008', 'FROM gcr.io/distroless/python3-debian12:nonroot\n', []],
    ['CS008', 'FROM gcr.io/distroless/python3-debian12 AS r\nFROM r\n', [2]],
    ['CS008', 'FROM cgr.dev/chainguard/python:latest\n', []],
    ['CS006', 'FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update\n', []],
    [
      'CS003',
      'FROM python:3.11-slim\nRUN --mount=type=secret,id=t --mount=type=cache,target=/root/.cache/pip pip install x\n',
      [],
    ],
    ['CS018', 'FROM python:3.11-slim\nWORKDIR /app\nRUN python -m compileall .\n', []],
    ['CS019', 'FROM debian:12\nRUN echo sudo is a word here\n', []],
    ['CS020', 'FROM python:3.11-slim\nEXPOSE 5000/tcp 8000-8010 ${PORT}\n', []],
    [
      'CS022',
      'FROM python:3.11-slim\nRUN pip install -r requirements.txt -c constraints.txt . ./wheels/x.whl flask==2.2.2 "jinja2>=3"\n',
      [],
    ],
    ['CS022', 'FROM python:3.11-slim\nRUN pip install --upgrade pip\n', []],
    ['CS022', 'FROM python:3.11-slim\nRUN pip install --index-url https://pypi.example/simple requests\n', [2]],
    ['CS023', 'FROM debian:12\nRUN apt-get -yq install curl=1\n', []],
    ['CS023', 'FROM debian:12\nRUN apt-get update\n', []],
    ['CS026', 'FROM python:3.11-slim AS builder\nFROM python:3.11-slim\nCOPY --from=builder /a /a\nCOPY --from=0 /b /b\n', []],
    ['CS026', 'FROM python:3.11-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/uv\nCOPY --from=nginx:1.27 /a /a\n', []],
    ['CS026', 'FROM python:3.11-slim\nCOPY --from=later /a /a\nFROM python:3.11-slim AS later\n', [2]],
    ['CS035', 'FROM python:3.11-slim\nRUN useradd --uid 10001 app && useradd -l -u 123456789 big\n', []],
    ['CS037', 'FROM python:3.11-slim AS a\nCMD ["a"]\nFROM python:3.11-slim\nCMD ["b"]\n', []],
    ['CS039', 'FROM python:3.11-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n', []],
    ['CS040', 'FROM python:3.11-slim\nRUN cat <file && echo "a<<b"\n', []],
    [
      'CS041',
      'FROM python:3.11-slim\nARG PIP_PASSWORD\nRUN pip install --index-url https://ci:${PIP_PASSWORD}@pypi.example/simple x\n',
      [],
    ],
    ['CS041', 'FROM python:3.11-slim\nENV HOME_URL=https://example.com/a@b\n', []],
    ['CS042', 'FROM python:3.11-slim AS test\nRUN true\nFROM python:3.11-slim\nCOPY --from=test /x /x\n', []],
    ['CS042', 'FROM python:3.11-slim AS unit-tests\nRUN true\nFROM python:3.11-slim\n', [1]],
    ['CS042', 'FROM python:3.11-slim AS testbed\nRUN true\nFROM python:3.11-slim\n', []],
    ['CS043', 'FROM node:20\nRUN npm ci\n', [2]],
    ['CS043', 'FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n', []],
  ])('%s on %j fires on lines %j', (id, text, lines) => {
    expect(linesFor(id, text)).toEqual(lines);
  });

  test.each([
    ['FROM python:3.11-slim\n', 5000, [1]],
    ['FROM python:3.11-slim\nEXPOSE 8080\n', 5000, [2]],
    ['FROM python:3.11-slim\nEXPOSE 5000/tcp\n', 5000, []],
    ['FROM python:3.11-slim\nEXPOSE 4000-6000\n', 5000, []],
    ['FROM python:3.11-slim\n', undefined, []],
  ])('CS013 on %j with smoke port %s fires on %j', (text, smokePort, lines) => {
    expect(linesFor('CS013', text, smokePort === undefined ? {} : { smokePort })).toEqual(lines);
  });

  test.each([
    [null, 'CS015', 'Add a .dockerignore listing .git, node_modules, __pycache__, .venv, .env.'],
    ['.git\n', 'CS016', 'Add node_modules, **/__pycache__, .venv, .env to .dockerignore.'],
    ['.git\nnode_modules\n**/__pycache__\n.venv\n.env\n', undefined, undefined],
    ['.git/\n**/node_modules\n__pycache__\n.venv*\n.env\n', undefined, undefined],
    ['*\n!app.py\n!requirements.txt\n', undefined, undefined],
    ['.git\nnode_modules\n__pycache__\n.venv\n.env*\n!.env\n', 'CS016', 'Add .env to .dockerignore.'],
  ])('.dockerignore %j gives %s', (dockerignore, id, fix) => {
    const findings = lintDockerfileText('FROM python:3.11-slim\n', { dockerignore }).findings.filter(
      (f) => f.id === 'CS015' || f.id === 'CS016',
    );
    expect(findings.map((f) => f.id)).toEqual(id === undefined ? [] : [id]);
    if (fix) expect(findings[0]?.fix).toBe(fix);
  });

  test('every rule has a unique id, a fix-bearing help and a test above', () => {
    const ids = LINT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => `CS${String(i + 1).padStart(3, '0')}`));
  });
});

describe('ignores', () => {
  const text =
    'FROM python:3.11-slim\n# ship-lint ignore=CS003,CS007\nRUN pip install x\n# hadolint ignore=DL3025\nCMD python x.py\n';

  test('inline ship-lint and hadolint pragmas silence the instruction below them', () => {
    const ids = lintDockerfileText(text).findings.map((f) => f.id);
    expect(ids).not.toContain('CS003');
    expect(ids).not.toContain('CS009');
    expect(lintDockerfileText(text.replace('# ship-lint ignore=CS003,CS007\n', '')).findings.map((f) => f.id)).toContain('CS003');
  });

  test('a pragma applies only to the instruction directly below it', () => {
    const spaced = 'FROM python:3.11-slim\n# ship-lint ignore=CS003\nRUN echo\nRUN pip install x\n';
    expect(linesFor('CS003', spaced)).toEqual([4]);
  });

  test('the ignore list takes ship ids and hadolint ids', () => {
    const ids = lintDockerfileText('FROM python\nCMD python x.py\n', { ignore: ['cs001', 'DL3025', 'DL3057'] }).findings.map(
      (f) => f.id,
    );
    expect(ids).toEqual(['CS008']);
  });

  test('a pragma above the first instruction silences .dockerignore findings', () => {
    const result = lintDockerfileText('# ship-lint ignore=CS015\nFROM python:3.11-slim\n', { dockerignore: null });
    expect(result.findings.map((f) => f.id)).not.toContain('CS015');
  });
});

describe('exit code and formats', () => {
  const warning = {
    file: 'Dockerfile',
    findings: [{ id: 'CS003', severity: 'warning' as const, line: 2, message: 'm.', fix: 'f.' }],
  };
  const info = { file: 'Dockerfile', findings: [{ id: 'CS005', severity: 'info' as const, line: 2, message: 'm.', fix: 'f.' }] };
  const clean = { file: 'Dockerfile', findings: [] };

  test.each([
    [[clean], 0],
    [[info], 0],
    [[warning], 1],
    [[clean, warning], 1],
    [[], 0],
  ])('lintExitCode(%j) = %i', (results, code) => {
    expect(lintExitCode(results)).toBe(code);
  });

  test('text names file, line, severity, id, hadolint id and the fix', () => {
    const result = lintDockerfileText('FROM python:3.11-slim\nRUN pip install flask==2.2.2\n', {
      file: 'app/Dockerfile',
      ignore: ['CS008', 'CS014'],
      builder: 'classic',
    });
    expect(formatLintText([result])).toBe(
      "app/Dockerfile:2 warning CS003 (hadolint DL3042): 'pip install' without --no-cache-dir leaves pip's download cache in the image.\n" +
        '  fix: Add --no-cache-dir to pip install (or ENV PIP_NO_CACHE_DIR=1).\n' +
        'app/Dockerfile: 1 problem found.\n',
    );
    expect(formatLintText([clean])).toBe('Dockerfile: no problems found.\n');
  });

  test('JSON carries every field and the rule name', () => {
    const parsed = JSON.parse(formatLintJson([warning]));
    expect(parsed).toEqual([{ file: 'Dockerfile', findings: [{ ...warning.findings[0], rule: 'pip-cache' }] }]);
  });
});

describe('the example app', () => {
  test('Dockerfile.naive reports cache-busting order, root user, pip cache and no healthcheck, each with its line', async () => {
    const result = await lintDockerfile({ dockerfile: join(exampleAppDir, 'Dockerfile.naive'), smokePort: 5000 });
    const byId = new Map(result.findings.map((f) => [f.id, f.line]));
    expect(byId.get('CS007')).toBe(9);
    expect(byId.get('CS008')).toBe(6);
    expect(byId.get('CS003')).toBe(9);
    expect(byId.get('CS014')).toBe(6);
    expect(lintExitCode([result])).toBe(1);
  });

  test('the real Dockerfile (with its .dockerignore) lints clean', async () => {
    const result = await lintDockerfile({ dockerfile: join(exampleAppDir, 'Dockerfile'), smokePort: 5000 });
    expect(result.findings).toEqual([]);
    expect(lintExitCode([result])).toBe(0);
  });
});

describe('lintDockerfile on disk', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  test('reads .dockerignore from the context and reports a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-lint-'));
    dirs.push(dir);
    await writeFile(join(dir, 'Dockerfile'), 'FROM python:3.11-slim\n');
    const missing = await lintDockerfile({ dockerfile: join(dir, 'Dockerfile') });
    expect(missing.findings.find((f) => f.id === 'CS015')).toMatchObject({ line: 1, severity: 'warning' });
    await writeFile(join(dir, '.dockerignore'), '.git\n');
    const partial = await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), context: dir });
    expect(partial.findings.find((f) => f.id === 'CS016')).toMatchObject({ file: join(dir, '.dockerignore'), line: 1 });
  });

  test('a missing Dockerfile is a clear input error', async () => {
    await expect(lintDockerfile({ dockerfile: '/nonexistent/Dockerfile' })).rejects.toThrow(
      'Cannot read Dockerfile /nonexistent/Dockerfile; check the path, or name the Dockerfile to lint.',
    );
  });

  test('a directory is not a Dockerfile: the same clear input error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lint-dir-'));
    try {
      await expect(lintDockerfile({ dockerfile: dir })).rejects.toThrow(
        `Cannot read Dockerfile ${dir}; check the path, or name the Dockerfile to lint.`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the builder decides some rules', () => {
  const dockerfile =
    'FROM python:3.11-slim AS test\nRUN true\nFROM python:3.11-slim\nARG NPM_TOKEN\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==2.2.2\n';

  test('classic: BuildKit syntax is an error, an unused test stage still runs, no cache-mount advice', () => {
    const ids = lintDockerfileText(dockerfile, { builder: 'classic' }).findings.map((f) => f.id);
    expect(ids).toContain('CS039');
    expect(ids).not.toContain('CS042');
    expect(lintDockerfileText('FROM node:20\nRUN npm ci\n', { builder: 'classic' }).findings.map((f) => f.id)).not.toContain(
      'CS043',
    );
  });

  test('BuildKit: the skipped test stage is a warning, and a secret ARG is pointed at a secret mount', () => {
    const findings = lintDockerfileText(dockerfile, { builder: 'buildkit' }).findings;
    expect(findings.map((f) => f.id)).not.toContain('CS039');
    expect(findings.find((f) => f.id === 'CS042')?.line).toBe(1);
    expect(findings.find((f) => f.id === 'CS012')?.fix).toBe(
      'Pass it as a build secret instead (ship build --secret id=npm_token,env=NPM_TOKEN) and read it in the step with RUN --mount=type=secret,id=npm_token.',
    );
  });

  test('--target test makes the test stage the one built', () => {
    expect(lintDockerfileText(dockerfile, { target: 'test' }).findings.map((f) => f.id)).not.toContain('CS042');
  });
});
