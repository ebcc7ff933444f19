import { type BuildResult, buildImage } from '../build/build-image.js';
import type { BuildSecret, BuildSsh } from '../build/build-options.js';
import { LABELS, newRunId } from '../cleanup/labels.js';
import { type Clock, systemClock } from '../clock.js';
import { buildSettings, tagPlanSettings } from '../config/resolve.js';
import type { EngineOptions } from '../engine/client.js';
import type { BuilderChoice } from '../engine/images.js';
import { inspectImage } from '../engine/images.js';
import { ShipError, throwIfAborted } from '../errors.js';
import { inPhase, type ProgressListener } from '../progress.js';
import type { RegistryClientOptions } from '../registry/client.js';
import { type SmokeOptions, type SmokeResult, smokeTest } from '../smoke/smoke-test.js';
import type { GitContext } from '../tags/git-types.js';
import { sourceDateEpoch } from '../tags/oci-labels.js';
import { type PlanTagsOptions, planTags, type TagPlan } from '../tags/plan.js';
import { versionFromGitRef } from '../tags/version.js';
import { findAlreadyPublished } from './already-published.js';
import { publishTo } from './publish.js';
import { type PublishEntry, summarizePublish } from './publish-summary.js';
import { lowerCaseNotices, type PublishTarget, type ReleaseRegistry, releaseTargets } from './targets.js';

/** Smoke-test settings for a release: everything `smokeTest` takes except what the release decides. */
export type ReleaseSmokeOptions = Omit<
  SmokeOptions,
  'image' | 'runId' | 'signal' | 'onProgress' | 'connection' | 'docker' | 'clock'
>;

/**
 * How ship's own registry requests (reading tags, promoting floating tags) trust the registry:
 * a CA (`caCert`, a PEM file or text), an engine-style `certsDir`, or plain HTTP (`insecure`).
 * The engine push of the first tag uses the engine's own trust (its certs.d).
 */
export type ReleaseRegistryTls = Pick<RegistryClientOptions, 'caCert' | 'certsDir' | 'insecure'>;

export interface ReleaseOptions extends EngineOptions, ReleaseRegistryTls {
  context: string;
  dockerfile?: string | undefined;
  /** The image name(s), without a tag: `localhost:5001/app`. */
  image: string | string[];
  /** The version shortcut (`v1.2.3` → 1.2.3, 1.2, 1, latest); or give `tagRules`. */
  version?: string | undefined;
  /** docker/metadata-action tag rules. */
  tagRules?: string[] | undefined;
  flavor?: string[] | undefined;
  /** Where the build comes from (for rules and OCI labels); see `readGitContext`. */
  git?: Partial<GitContext> | undefined;
  /**
   * The image's `created` label. Default: `SOURCE_DATE_EPOCH` from `env` (the reproducible-builds
   * convention), else the commit date from `git`, else now (then every release of the same
   * source makes a new image).
   */
  created?: Date | number | string | undefined;
  /** `false`: never plan `latest`. */
  latest?: boolean | undefined;
  /** `false`: no floating version tags. */
  floating?: boolean | undefined;
  /** Keep the `v` of `v1.2.3` in the tags. */
  keepV?: boolean | undefined;
  /**
   * Publish to these registries too, each with its own credentials: they add to the image's own
   * repository (when the image name includes its registry host; a bare name is only the path under them).
   */
  registries?: ReleaseRegistry[] | undefined;
  /** Where credentials not given in `registries` are looked up (`DOCKER_AUTH_CONFIG`, docker config); default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Default: GET / on port 5000 answers 200. `false` skips the smoke test (and its guard). */
  smoke?: ReleaseSmokeOptions | false | undefined;
  /** `false`: build, smoke-test and plan, but contact no registry and push nothing. */
  push?: boolean | undefined;
  buildArgs?: Record<string, string> | undefined;
  labels?: Record<string, string> | undefined;
  target?: string | undefined;
  noCache?: boolean | undefined;
  pull?: boolean | undefined;
  platform?: string | undefined;
  /** See `buildImage`: `auto` (default) uses BuildKit when the engine has it. */
  builder?: BuilderChoice | undefined;
  /** BuildKit build secrets (`RUN --mount=type=secret`). */
  secrets?: BuildSecret[] | undefined;
  /** BuildKit SSH agents (`RUN --mount=type=ssh`). */
  ssh?: BuildSsh[] | undefined;
  /** Images whose layers the build may reuse (BuildKit: those pushed with inline cache). */
  cacheFrom?: string[] | undefined;
  /**
   * Default: inline cache metadata is pushed with a BuildKit image, so `cacheFrom` it helps the next fresh
   * runner (except on Docker before 23 when a `cacheFrom` image exists: see `buildImage`). `['inline']`
   * always, `['none']` never.
   */
  cacheTo?: string[] | undefined;
  /** Groups the containers of this release for `cleanup({ runId })` (never stamped on the image). Default: new. */
  runId?: string | undefined;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

export interface ReleaseResult {
  /** The first repository released to. */
  image: string;
  /** The plan's main tag (`1.2.3`). */
  version: string;
  /** Every reference the registries now hold for this digest (or planned, with `push: false`), over all repositories. */
  tags: string[];
  /** Planned references that were not published because a write failed (or never ran after one); empty on success. */
  failedTags: string[];
  imageId: string;
  /** The manifest digest in the registries (the same everywhere). */
  digest?: string;
  size: number;
  build: BuildResult;
  smoke?: SmokeResult;
  /** True only when every repository got every tag. */
  pushed: boolean;
  /**
   * True when every tag already pointed at this image's digest in every repository, so nothing
   * was pushed or written (the registry was asked with one HEAD per tag).
   */
  alreadyPublished: boolean;
  publish: PublishEntry[];
  /** The tag plan over all repositories, with each one's existing tags taken into account. */
  plan: TagPlan;
  durations: Record<'build' | 'smoke' | 'push', number>;
  runId: string;
}

/** A release that did not complete: the smoke test failed, or a registry did. `result` has what did happen. */
export class ReleaseError extends ShipError {
  override readonly name = 'ReleaseError';
  readonly phase: 'smoke' | 'push';
  readonly result: ReleaseResult;
  constructor(message: string, details: { phase: 'smoke' | 'push'; result: ReleaseResult; cause?: unknown }) {
    super(details.phase === 'smoke' ? 'SMOKE_FAILED' : 'PUSH_FAILED', message, { cause: details.cause });
    this.phase = details.phase;
    this.result = details.result;
  }
}

/** What every repository's plan shares; each adds its own name and existing tags. */
type PlanOptions = Omit<PlanTagsOptions, 'images' | 'existingTags'>;

function engineOf(o: EngineOptions): EngineOptions {
  return { connection: o.connection, docker: o.docker };
}

function mergePlans(plans: TagPlan[], fallback: TagPlan): TagPlan {
  if (plans.length === 0) return fallback;
  return {
    version: plans[0]?.version ?? fallback.version,
    tags: plans.flatMap((plan) => plan.tags),
    floating: plans.flatMap((plan) => plan.floating),
    labels: fallback.labels,
    skipped: plans.flatMap((plan) => plan.skipped),
  };
}

/**
 * Build → smoke test → tag plan → push, as one call. Nothing is pushed unless the smoke test
 * passed. Each repository's plan takes its existing tags into account (floating tags never
 * move backwards); its exact version tag goes first by engine push, the others by registry-side
 * promotion (one manifest PUT each), floating tags last (see `publishTo`). Resolves only when
 * everything was published; otherwise rejects with a ReleaseError whose result lists exactly
 * what was published and what failed (per repository too).
 */
export async function release(o: ReleaseOptions): Promise<ReleaseResult> {
  const clock = o.clock ?? systemClock;
  throwIfAborted(o.signal);
  // Validate everything a user typed before the (slow) build: names, version, rules.
  const targets = releaseTargets(o.image, o.registries);
  for (const message of lowerCaseNotices(o.image, o.registries)) o.onProgress?.({ type: 'warning', phase: 'tag', message });
  const names = targets.map((t) => t.repository).join(', ');
  return inPhase(
    'release',
    `Releasing ${names}`,
    { onProgress: o.onProgress, clock },
    () => runRelease(o, targets, clock),
    (result) =>
      result.alreadyPublished
        ? `${result.version} was already published to ${names} as ${result.digest}; nothing pushed`
        : result.pushed
          ? `Released ${result.version} to ${names}`
          : `Built${result.smoke ? ' and smoke-tested' : ''} ${result.version}; nothing pushed (push: false)`,
  );
}

async function runRelease(o: ReleaseOptions, targets: PublishTarget[], clock: Clock): Promise<ReleaseResult> {
  const runId = o.runId ?? newRunId();
  const engine = engineOf(o);
  const emit = o.onProgress;
  const common = { signal: o.signal, onProgress: emit };
  const now = new Date(clock.now());
  const created = o.created ?? sourceDateEpoch(o.env ?? process.env);
  const version = o.version ?? (o.tagRules === undefined ? versionFromGitRef(o.git?.ref) : undefined);
  const planOptions: PlanOptions = {
    ...tagPlanSettings({ ...o, version }),
    git: o.git,
    created,
    now,
  };
  const planFor = (images: string[], existingTags: string[]) => planTags({ ...planOptions, images, existingTags });
  const localPlan = planFor(
    targets.map((t) => t.repository),
    [],
  );
  if (localPlan.tags.length === 0) {
    throw new ShipError(
      'INVALID_INPUT',
      `The version and tag rules plan no tag for ${targets[0]?.repository}; pass a version (e.g. v1.2.3) or a rule that matches this build.`,
    );
  }
  const mainTags = targets.map(
    (t) => localPlan.tags.find((ref) => ref.startsWith(`${t.repository}:`)) ?? `${t.repository}:${localPlan.version}`,
  );

  const durations = { build: 0, smoke: 0, push: 0 };
  let phaseStarted = clock.now();
  const build = await buildImage({
    context: o.context,
    ...buildSettings(o),
    cacheTo: o.cacheTo ?? 'auto',
    tags: mainTags,
    // Nothing per run on the image: the same source gives the same image id and digest, so a
    // cached rebuild is a cache hit and a re-release uploads nothing. The run id is on containers.
    labels: {
      ...localPlan.labels,
      ...o.labels,
      [LABELS.managed]: 'true',
      [LABELS.purpose]: 'release',
    },
    ...engine,
    clock,
    ...common,
  });
  durations.build = clock.now() - phaseStarted;

  const result: ReleaseResult = {
    image: targets[0]?.repository ?? '',
    version: localPlan.version,
    tags: [],
    failedTags: [],
    imageId: build.imageId,
    size: build.size,
    build,
    pushed: false,
    alreadyPublished: false,
    publish: [],
    plan: localPlan,
    durations,
    runId,
  };

  // Overlapped with the smoke test: ask the registries whether this exact image is already there.
  const published =
    o.push === false
      ? Promise.resolve(undefined)
      : inspectImage(build.imageId, { ...engine, ...common })
          .then((image) =>
            findAlreadyPublished({
              targets,
              repoDigests: image?.repoDigests ?? [],
              planFor,
              env: o.env,
              clock,
              signal: o.signal,
            }),
          )
          .catch(() => undefined);
  // The smoke container is removed while the release goes on; it is awaited before returning.
  let smokeRemoved: Promise<void> | undefined;
  try {
    if (o.smoke !== false) {
      phaseStarted = clock.now();
      const smoke = await smokeTest({
        ...o.smoke,
        image: build.imageId,
        runId,
        ...engine,
        clock,
        ...common,
        removeInBackground: (removed) => {
          smokeRemoved = removed;
        },
      });
      durations.smoke = clock.now() - phaseStarted;
      result.smoke = smoke;
      if (smoke.status === 'failed') {
        throw new ReleaseError(
          `The smoke test of ${result.image} failed (${(smoke.reason ?? 'no reason').replace(/\.$/, '')}); nothing was pushed: fix the app or the smoke settings and release again.`,
          { phase: 'smoke', result },
        );
      }
    }
    return await publishRelease(o, { targets, clock, engine, planFor, localPlan, result, published });
  } finally {
    await published;
    await smokeRemoved;
  }
}

interface PublishContext {
  targets: PublishTarget[];
  clock: Clock;
  engine: EngineOptions;
  /** Plans a repository's tags against the tags it holds now. */
  planFor: (images: string[], existingTags: string[]) => TagPlan;
  localPlan: TagPlan;
  result: ReleaseResult;
  /** The entries when every tag is already in place (see findAlreadyPublished). */
  published: Promise<PublishEntry[] | undefined>;
}

async function publishRelease(o: ReleaseOptions, c: PublishContext): Promise<ReleaseResult> {
  const { targets, clock, engine, planFor, localPlan, result } = c;
  const emit = o.onProgress;
  const durations = result.durations;
  if (o.push === false) {
    result.tags = localPlan.tags;
    return result;
  }

  throwIfAborted(o.signal);
  const already = await c.published;
  if (already) {
    const digest = already[0]?.digest;
    emit?.({
      type: 'info',
      phase: 'push',
      message: `Already published: ${already.flatMap((p) => p.refs).join(', ')} point at ${digest}; nothing pushed`,
    });
    result.publish = already;
    result.tags = already.flatMap((p) => p.refs);
    result.plan = mergePlans(
      already.flatMap((p) => (p.plan ? [p.plan] : [])),
      localPlan,
    );
    if (digest) result.digest = digest;
    result.pushed = true;
    result.alreadyPublished = true;
    return result;
  }
  const phaseStarted = clock.now();
  const publish = await inPhase(
    'push',
    `Publishing to ${targets.length} ${targets.length === 1 ? 'repository' : 'repositories'}`,
    { onProgress: emit, clock },
    () =>
      Promise.all(
        targets.map((target) =>
          publishTo(target, result.imageId, {
            planFor,
            engine,
            clock,
            env: o.env,
            tls: { caCert: o.caCert, certsDir: o.certsDir, insecure: o.insecure },
            signal: o.signal,
            onProgress: emit,
          }),
        ),
      ),
    (published) => {
      const summary = summarizePublish(published);
      return { ok: summary.ok, message: summary.ok ? `Published ${summary.published.length} tags` : (summary.message ?? '') };
    },
  );
  durations.push = clock.now() - phaseStarted;
  const summary = summarizePublish(publish);

  result.publish = publish;
  result.tags = summary.published;
  result.failedTags = summary.unpublished;
  result.plan = mergePlans(
    publish.flatMap((p) => (p.plan ? [p.plan] : [])),
    localPlan,
  );
  const digest = publish.find((p) => p.digest)?.digest;
  if (digest) result.digest = digest;
  result.pushed = summary.ok;
  if (!summary.ok) throw new ReleaseError(summary.message ?? 'Publishing failed.', { phase: 'push', result });
  return result;
}
