import { resolveRegistryAuth } from '../auth/registry-auth.js';
import type { Clock } from '../clock.js';
import type { EngineOptions } from '../engine/client.js';
import { InvalidInputError, isShipError, throwIfAborted } from '../errors.js';
import { parseImageRef } from '../image-ref.js';
import { inPhase, type ProgressListener } from '../progress.js';
import { pushImage } from '../push/push-image.js';
import { type Manifest, RegistryClient, type RegistryClientOptions } from '../registry/client.js';
import type { SkippedTag, TagPlan } from '../tags/plan.js';
import type { PublishEntry } from './publish-summary.js';
import type { PublishTarget } from './targets.js';

export interface PublishOptions {
  /** Plans this repository's tags against the tags it holds now. */
  planFor: (images: string[], existingTags: string[]) => TagPlan;
  engine: EngineOptions;
  clock: Clock;
  /** Where credentials a target does not carry are looked up (`DOCKER_AUTH_CONFIG`, docker config). */
  env?: NodeJS.ProcessEnv | undefined;
  /** How the registry's TLS is trusted for ship's own requests (the engine push uses the engine's). */
  tls?: Pick<RegistryClientOptions, 'caCert' | 'certsDir' | 'insecure'> | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

/** Rounds of "read the versions again, repoint what a newer release now owns" after writing floating tags. */
const CONVERGE_ROUNDS = 5;

/**
 * One repository of a release, in the order that leaves the safest state when something fails:
 * the exact version tag first (engine push), then any other fixed tags, then the floating tags
 * (X.Y, X, latest) one at a time. The version tags are read again just before the floating tags
 * are written and once more after: a floating tag a newer release now owns is pointed at that
 * release (or left to it while its manifest is still being written), so concurrent releases by
 * container-ship converge on the newest version. The entry lists exactly what the registry holds
 * for this digest: a failed write is checked by reading the tag back.
 */
export async function publishTo(target: PublishTarget, imageId: string, o: PublishOptions): Promise<PublishEntry> {
  const started = o.clock.now();
  const auth = target.auth ?? (await resolveRegistryAuth(target.registry, { env: o.env }));
  const client = new RegistryClient(target.registry, {
    ...o.tls,
    auth,
    signal: o.signal,
    onProgress: o.onProgress,
    clock: o.clock,
    phase: 'push',
  });
  const name = parseImageRef(target.repository).repository;
  const state: PublishState = { refs: [], methods: {}, skipped: [] };
  let plan: TagPlan | undefined;
  try {
    plan = o.planFor([target.repository], await versionTags(client, name));
    for (const skipped of plan.skipped) announceSkipped(o, skipped);
    const fixed = plan.tags.filter((ref) => !plan?.floating.includes(ref));
    const [first, ...others] = fixed.length > 0 ? fixed : plan.tags;
    if (!first) {
      throw new InvalidInputError(`No tag is planned for ${target.repository}; pass a version or a matching tag rule.`);
    }
    state.planned = [...plan.tags];
    const pushed = await pushImage({
      image: imageId,
      tags: [first],
      auth,
      ...o.engine,
      clock: o.clock,
      signal: o.signal,
      onProgress: o.onProgress,
    });
    state.digest = pushed.digest;
    record(state, first, 'push');
    const digest = pushed.digest;
    const fixedRest = others.filter((ref) => !plan?.floating.includes(ref));
    const floating = plan.floating.filter((ref) => ref !== first);
    if (fixedRest.length + floating.length > 0) {
      await inPhase(
        'promote',
        `Promoting ${target.repository}@${digest}`,
        { onProgress: o.onProgress, clock: o.clock },
        () => writeTags(client, target, name, digest, fixedRest, floating, state, o),
        (count) => `Promoted ${digest} to ${count} tag(s)`,
      );
    }
    return entry(target, state, plan, o.clock.now() - started);
  } catch (error) {
    if (o.signal?.aborted) throw error;
    // Failed before the registry's tags were read: what would have been published is the plan without them.
    state.planned ??= plan?.tags ?? safePlan(o, target)?.tags ?? [];
    await readBack(client, name, state);
    return entry(target, state, plan, o.clock.now() - started, error);
  } finally {
    await client.close();
  }
}

interface PublishState {
  /** Every reference this repository was to get, in write order. */
  planned?: string[];
  digest?: string;
  /** What the registry holds for this digest. */
  refs: string[];
  methods: Record<string, 'push' | 'promote'>;
  /** Floating tags left to (or pointed at) a newer release, with why. */
  skipped: SkippedTag[];
}

function record(state: PublishState, ref: string, method: 'push' | 'promote'): void {
  if (!state.refs.includes(ref)) state.refs.push(ref);
  state.methods[ref] = method;
}

function forget(state: PublishState, ref: string): void {
  state.refs = state.refs.filter((r) => r !== ref);
  delete state.methods[ref];
}

function leave(state: PublishState, ref: string, skipped: SkippedTag, o: PublishOptions): void {
  forget(state, ref);
  const known = state.skipped.find((s) => s.tag === ref);
  if (known?.newer === skipped.newer && known?.reason === skipped.reason) return;
  state.skipped = [...state.skipped.filter((s) => s.tag !== ref), skipped];
  announceSkipped(o, skipped);
}

function announceSkipped(o: PublishOptions, skipped: SkippedTag): void {
  o.onProgress?.({ type: 'info', phase: 'tag', message: `Not moving ${skipped.tag}: ${skipped.reason}` });
}

/** The fixed tags, then the floating ones against a fresh read of the versions, then the convergence check. */
async function writeTags(
  client: RegistryClient,
  target: PublishTarget,
  name: string,
  digest: string,
  fixed: string[],
  floating: string[],
  state: PublishState,
  o: PublishOptions,
): Promise<number> {
  const before = state.refs.length;
  const manifest = await client.getManifest(name, digest);
  for (const ref of fixed) await writeTag(client, name, ref, manifest, state, o);
  if (floating.length > 0) {
    // Read the versions again: another release may have finished while this one pushed.
    const now = o.planFor([target.repository], await versionTags(client, name));
    for (const ref of floating) {
      const blocked = now.skipped.find((s) => s.tag === ref && s.newer !== undefined);
      if (blocked) leave(state, ref, blocked, o);
      else await writeTag(client, name, ref, manifest, state, o);
    }
    await converge(client, target, name, floating, state, o);
  }
  return state.refs.length - before;
}

async function writeTag(
  client: RegistryClient,
  name: string,
  ref: string,
  manifest: Manifest,
  state: PublishState,
  o: PublishOptions,
): Promise<void> {
  throwIfAborted(o.signal);
  await client.putManifest(name, tagOf(ref), manifest);
  record(state, ref, 'promote');
  o.onProgress?.({ type: 'info', phase: 'promote', message: `Tagged ${ref} (${manifest.digest})` });
}

/**
 * Registries have no compare-and-set, so two releases can each write a floating tag and the
 * older one can write last. After writing, the version tags are read again; a floating tag for
 * which a newer release now exists is pointed at that release's manifest, and read again, until
 * nothing newer shows up. A newer version that is listed but not readable yet is still being
 * pushed: its own release writes the floating tag after that, so it is left to it.
 */
async function converge(
  client: RegistryClient,
  target: PublishTarget,
  name: string,
  floating: string[],
  state: PublishState,
  o: PublishOptions,
): Promise<void> {
  for (let round = 0; round < CONVERGE_ROUNDS; round++) {
    const now = o.planFor([target.repository], await versionTags(client, name));
    let repointed = false;
    for (const ref of floating) {
      const blocked = now.skipped.find((s) => s.tag === ref && s.newer !== undefined);
      if (!blocked?.newer) continue;
      const newer = blocked.newer;
      const manifest = await client.getManifest(name, tagOf(newer)).catch((error: unknown) => {
        if (isShipError(error) && error.code === 'IMAGE_NOT_FOUND') return undefined;
        throw error;
      });
      if (!manifest) {
        leave(
          state,
          ref,
          { tag: ref, newer, reason: `${newer} is being published at the same time, and its release moves ${tagOf(ref)}.` },
          o,
        );
        continue;
      }
      const current = await client.headManifest(name, tagOf(ref));
      if (current?.digest !== manifest.digest) {
        throwIfAborted(o.signal);
        await client.putManifest(name, tagOf(ref), manifest);
        repointed = true;
      }
      leave(
        state,
        ref,
        { tag: ref, newer, reason: `${newer} was published at the same time and is newer, so ${tagOf(ref)} points at it.` },
        o,
      );
    }
    if (!repointed) return;
  }
}

function safePlan(o: PublishOptions, target: PublishTarget): TagPlan | undefined {
  try {
    return o.planFor([target.repository], []);
  } catch {
    return undefined;
  }
}

/** After a failure: the registry may have stored a write whose answer was lost, so ask it. */
async function readBack(client: RegistryClient, name: string, state: PublishState): Promise<void> {
  if (!state.digest || !state.planned) return;
  for (const ref of state.planned) {
    if (state.refs.includes(ref) || state.skipped.some((s) => s.tag === ref)) continue;
    const stored = await client.headManifest(name, tagOf(ref)).catch(() => undefined);
    if (stored?.digest === state.digest) record(state, ref, 'promote');
  }
}

function entry(
  target: PublishTarget,
  state: PublishState,
  plan: TagPlan | undefined,
  durationMs: number,
  error?: unknown,
): PublishEntry {
  const planned = state.planned ?? plan?.tags ?? [];
  const failedRefs =
    error === undefined ? [] : planned.filter((ref) => !state.refs.includes(ref) && !state.skipped.some((s) => s.tag === ref));
  const refs = planned.filter((ref) => state.refs.includes(ref));
  const finalPlan = plan
    ? {
        ...plan,
        tags: plan.tags.filter((ref) => !state.skipped.some((s) => s.tag === ref)),
        floating: plan.floating.filter((ref) => !state.skipped.some((s) => s.tag === ref)),
        skipped: [...plan.skipped, ...state.skipped],
      }
    : undefined;
  return {
    registry: target.registry,
    repository: target.repository,
    refs,
    failedRefs,
    ...(state.digest ? { digest: state.digest } : {}),
    ok: error === undefined,
    ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
    ...(isShipError(error) ? { code: error.code } : {}),
    ...(finalPlan ? { plan: finalPlan } : {}),
    methods: Object.fromEntries(refs.map((ref) => [ref, state.methods[ref] ?? 'promote'])),
    durationMs,
  };
}

/** Every tag of the repository; one that does not exist yet has none. */
async function versionTags(client: RegistryClient, name: string): Promise<string[]> {
  try {
    return await client.listTags(name);
  } catch (error) {
    if (isShipError(error) && error.code === 'REGISTRY_NAME_UNKNOWN') return [];
    throw error;
  }
}

/** `registry/name:tag` → `tag`. */
function tagOf(ref: string): string {
  return ref.slice(ref.lastIndexOf(':') + 1);
}
