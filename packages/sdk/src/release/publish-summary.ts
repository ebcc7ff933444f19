import type { TagPlan } from '../tags/plan.js';

/** What happened in one repository of a release. */
export interface PublishEntry {
  /** Registry host. */
  registry: string;
  /** `localhost:5001/app`. */
  repository: string;
  /** The references now in the registry (or that would be, with `push: false`). */
  refs: string[];
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
  succeeded: string[];
  failed: string[];
  /** For a failure: one sentence for the ReleaseError; undefined when all succeeded. */
  message?: string;
}

/**
 * Pure: the verdict over all repositories. One failure fails the release, and the message
 * says which failed, why (its own first sentence), and what did get published.
 */
export function summarizePublish(entries: PublishEntry[]): PublishSummary {
  const succeeded = entries.filter((e) => e.ok).map((e) => e.repository);
  const failures = entries.filter((e) => !e.ok);
  const failed = failures.map((e) => e.repository);
  if (failures.length === 0) return { ok: true, succeeded, failed };
  const first = failures[0];
  const why = (first?.error ?? 'unknown error').replace(/\.$/, '');
  const others = failures.length > 1 ? ` (and ${failures.length - 1} more: ${failed.slice(1).join(', ')})` : '';
  const published =
    succeeded.length > 0
      ? `${succeeded.join(', ')} ${succeeded.length === 1 ? 'was' : 'were'} published`
      : 'nothing was published';
  return {
    ok: false,
    succeeded,
    failed,
    message: `Publishing to ${failures.length} of ${entries.length} ${entries.length === 1 ? 'repository' : 'repositories'} failed${others}: ${first?.repository}: ${why}; ${published}; fix ${failures.length === 1 ? 'it' : 'them'} and release again.`,
  };
}
