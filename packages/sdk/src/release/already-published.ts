import { parseImageRef } from '../image-ref.js';
import { repositoryTags, withRepositoryClient } from '../registry/list-tags.js';
import type { TagPlan } from '../tags/plan.js';
import type { PublishEntry } from './publish-summary.js';
import type { PublishTarget } from './targets.js';

export interface PublishedCheckOptions {
  targets: PublishTarget[];
  /** The image's `RepoDigests` in the engine: `registry/name@sha256:...` for each repository it was pushed to. */
  repoDigests: string[];
  /** Plans a repository's tags against the tags it holds now. */
  planFor: (images: string[], existingTags: string[]) => TagPlan;
  /** Where credentials not given in a target are looked up; default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  signal?: AbortSignal | undefined;
  clock: { now(): number };
}

/** The digest this engine recorded when it last pushed the image to `repository`, if it did. */
export function recordedDigest(repoDigests: string[], repository: string): string | undefined {
  const wanted = parseImageRef(repository);
  for (const entry of repoDigests) {
    const ref = parseImageRef(entry);
    if (ref.digest && ref.registry === wanted.registry && ref.repository === wanted.repository) return ref.digest;
  }
  return undefined;
}

/**
 * Asks each registry (tag list, then one HEAD per planned tag) whether every tag the release
 * would write already points at the image's own digest there. Returns the publish entries for
 * "already published" when that holds for every target, else undefined (also when a registry
 * cannot be asked: the push then reports that failure properly).
 */
export async function findAlreadyPublished(o: PublishedCheckOptions): Promise<PublishEntry[] | undefined> {
  try {
    const entries = await Promise.all(o.targets.map((target) => checkTarget(target, o)));
    return entries.every((entry) => entry !== undefined) ? entries : undefined;
  } catch {
    return undefined;
  }
}

async function checkTarget(target: PublishTarget, o: PublishedCheckOptions): Promise<PublishEntry | undefined> {
  const digest = recordedDigest(o.repoDigests, target.repository);
  if (!digest) return undefined;
  const started = o.clock.now();
  const options = { auth: target.auth, env: o.env, signal: o.signal };
  return withRepositoryClient(target.repository, options, async (client, repo) => {
    const plan = o.planFor([target.repository], await repositoryTags(client, repo.repository));
    if (plan.tags.length === 0) return undefined;
    const heads = await Promise.all(
      plan.tags.map((ref) => client.headManifest(repo.repository, parseImageRef(ref).tag ?? 'latest')),
    );
    if (!heads.every((head) => head?.digest === digest)) return undefined;
    return {
      registry: target.registry,
      repository: target.repository,
      refs: plan.tags,
      digest,
      ok: true,
      plan,
      methods: {},
      durationMs: o.clock.now() - started,
    };
  });
}
