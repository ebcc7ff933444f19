/** A PEP 440 version, parsed and normalised the way pip writes it (`1.1beta2` → `1.1b2`). */
export interface Pep440Version {
  raw: string;
  normalized: string;
  release: number[];
  /** Pre-, post- and dev-releases: metadata-action gives these only their exact tag. */
  isSpecial: boolean;
}

const PEP440 =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const PRE_LABELS: Record<string, string> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

export function parsePep440(input: string): Pep440Version | undefined {
  const raw = input.trim();
  const m = PEP440.exec(raw);
  if (!m) return undefined;
  const [, epoch, releaseText, preLabel, preNumber, postDash, postLabel, postNumber, devLabel, devNumber, local] = m;
  const release = (releaseText ?? '0').split('.').map(Number);
  let normalized = epoch !== undefined && Number(epoch) !== 0 ? `${Number(epoch)}!` : '';
  normalized += release.join('.');
  if (preLabel !== undefined) normalized += `${PRE_LABELS[preLabel.toLowerCase()]}${Number(preNumber ?? 0)}`;
  const hasPost = postDash !== undefined || postLabel !== undefined;
  if (hasPost) normalized += `.post${Number(postDash ?? postNumber ?? 0)}`;
  if (devLabel !== undefined) normalized += `.dev${Number(devNumber ?? 0)}`;
  if (local !== undefined) normalized += `+${local.toLowerCase().replace(/[-_]/g, '.')}`;
  return { raw, normalized, release, isSpecial: preLabel !== undefined || hasPost || devLabel !== undefined };
}
