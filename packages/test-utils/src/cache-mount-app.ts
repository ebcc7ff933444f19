import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTestbed } from './testbed.js';

/**
 * A Flask project whose Dockerfile installs its requirements with Docker's own pip cache idiom,
 * `RUN --mount=type=cache,target=/root/.cache/pip pip install ...` (offline: the test bed's base
 * image installs from its /wheels). The step also counts its runs in a file of the cache mount
 * named `marker`, and prints `cache mount runs: N`: a second build that re-runs the step sees
 * the first one's file, which proves the cache survived between builds while staying out of
 * the image.
 */
export async function writeCacheMountApp(dir: string, o: { marker: string; requirements: string[] }): Promise<void> {
  const runs = `/root/.cache/pip/${o.marker}.runs`;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'requirements.txt'), `${o.requirements.join('\n')}\n`);
  await writeFile(
    join(dir, 'app.py'),
    'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef index():\n    return "hello from a cache-mount build\\n"\n',
  );
  await writeFile(
    join(dir, 'Dockerfile'),
    [
      `FROM ${loadTestbed().baseImage}`,
      'WORKDIR /app',
      'COPY requirements.txt .',
      `RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt && echo run >> ${runs} && echo "cache mount runs: $(wc -l < ${runs})"`,
      'COPY app.py .',
      'EXPOSE 5000',
      'CMD ["python", "-m", "flask", "--app", "app", "run", "--host", "0.0.0.0", "--port", "5000"]',
      '',
    ].join('\n'),
  );
}

/** The pip step of that Dockerfile as the progress names it. */
export const cacheMountStep =
  /\[stage-0 4\/5\] RUN --mount=type=cache,target=\/root\/\.cache\/pip pip install -r requirements\.txt/;

/** What the htpasswd registry of the test bed says a tag points at (null: no such tag). */
export async function authRegistryDigest(repository: string, tag: string): Promise<string | null> {
  const { host, username, password } = loadTestbed().registries.auth;
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
    },
  });
  return response.status === 404 ? null : response.headers.get('docker-content-digest');
}
