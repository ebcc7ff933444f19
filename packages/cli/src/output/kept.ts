import type { SkippedTag } from '@container-ship/sdk';

/** The `kept` row of a result table: floating tags left where they were (the never-backwards guard). */
export function keptRows(skipped: readonly SkippedTag[]): string[][] {
  return skipped.length === 0 ? [] : [['kept', skipped.map((skip) => `${skip.tag} (a newer release has it)`).join('\n')]];
}
