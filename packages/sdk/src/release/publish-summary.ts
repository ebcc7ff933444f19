import type { TagPlan } from '../tags/plan.js';

/** What happened in one repository of a release. */
export interface PublishEntry {
  /** Registry host. */
  registry: string;
  /** `localhost:5001/app`. */
  repository: string;
  /** The references the registry now holds for this digest (or would, with `push: false`), in write order. */
  refs: string[];
  /** Planned references this release did not get into the registry (the write failed, or never ran after a failure). */
  failedRefs?: string[];
  digest?: string;
  ok: boolean;
  /** One sentence naming the problem and the fix, when `ok` is false. */
  error?: string;
  /** The error's stable code (`REGISTRY_UNAUTHORIZED`, `PUSH_FAILED`, ...). */
  code?: string;
  /** The tag plan for this repository (existing tags taken into account). */
  plan?: TagPlan;
  /** How each ref got there: `push` through the engine, `promote` by a registry-side manifest PUT. */
  methods?: Record<string, 'push' | 'promote'>;
  durationMs: number;
}

export interface PublishSummary {
  ok: boolean;
  /** Repositories that got every tag. */
  succeeded: string[];
  /** Repositories where something failed. */
  failed: string[];
  /** Every reference published, over all repositories. */
  published: string[];
  /** Every planned reference that was not published. */
  unpublished: string[];
  /** For a failure: one sentence for the ReleaseError; undefined when all succeeded. */
  message?: string;
}

/** `1.0, 1, latest` when the release has one repository, else the full references. */
function describeRefs(refs: string[], oneRepository: boolean): string {
  return refs.map((ref) => (oneRepository ? ref.slice(ref.lastIndexOf(':') + 1) : ref)).join(', ');
}

/**
 * Pure: the verdict over all repositories. One failure fails the release, and the message
 * says which failed, why (its own first sentence), and exactly which tags were published and
 * which were not: "published 1.0.0; 1.0, 1, latest failed".
 */
export function summarizePublish(entries: PublishEntry[]): PublishSummary {
  const succeeded = entries.filter((e) => e.ok).map((e) => e.repository);
  const failures = entries.filter((e) => !e.ok);
  const failed = failures.map((e) => e.repository);
  const published = entries.flatMap((e) => e.refs);
  const unpublished = entries.flatMap((e) => e.failedRefs ?? []);
  if (failures.length === 0) return { ok: true, succeeded, failed, published, unpublished };
  const first = failures[0];
  const why = (first?.error ?? 'unknown error').replace(/\.$/, '');
  const others = failures.length > 1 ? ` (and ${failures.length - 1} more: ${failed.slice(1).join(', ')})` : '';
  const one = entries.length === 1;
  const outcome = [
    published.length > 0 ? `published ${describeRefs(published, one)}` : 'nothing was published',
    ...(unpublished.length > 0 ? [`${describeRefs(unpublished, one)} failed`] : []),
  ].join('; ');
  return {
    ok: false,
    succeeded,
    failed,
    published,
    unpublished,
    message: `Publishing to ${failures.length} of ${entries.length} ${entries.length === 1 ? 'repository' : 'repositories'} failed${others}: ${first?.repository}: ${why}; ${outcome}; fix ${failures.length === 1 ? 'it' : 'them'} and release again.`,
  };
}
