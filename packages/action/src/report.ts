/**
 * What one run produced, rendered for people: the job summary, the sticky PR comment and the
 * release-notes section. Pure functions from a `RunReport` to text, so they are tested as tables.
 */
export interface RunReport {
  /** The image name (`registry/repository`), the key that keeps one comment per image. */
  image: string;
  version: string;
  tags: string[];
  /** Planned tags a failed publish did not write (the registry does not have them). */
  failedTags?: string[];
  pushed: boolean;
  imageId: string;
  digest: string | undefined;
  /** `name@sha256:...` when pushed. */
  imageRef: string | undefined;
  size: number;
  layers: number | undefined;
  smoke: SmokeSummary;
  /** Milliseconds per phase, in the order they ran. */
  durations: Array<{ phase: string; ms: number }>;
}

export interface SmokeSummary {
  status: 'passed' | 'failed' | 'skipped';
  url?: string;
  httpStatus?: number;
  durationMs?: number;
  reason?: string;
}

export function commentMarker(image: string): string {
  return `<!-- container-ship:pr-comment:${image} -->`;
}

function releaseMarkers(image: string): { start: string; end: string } {
  return { start: `<!-- container-ship:release:${image}:start -->`, end: `<!-- container-ship:release:${image}:end -->` };
}

/** `52.3 MB`: decimal units, as registries and `docker images` show them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function describeSmoke(smoke: SmokeSummary): string {
  if (smoke.status === 'skipped') return 'skipped';
  const answer = smoke.httpStatus === undefined ? '' : `HTTP ${smoke.httpStatus}`;
  const where = smoke.url === undefined ? '' : ` from ${new URL(smoke.url).pathname}`;
  const time = smoke.durationMs === undefined ? '' : ` in ${formatDuration(smoke.durationMs)}`;
  const detail = `${answer}${where}${time}`.trim();
  const reason = smoke.status === 'failed' && smoke.reason ? `: ${smoke.reason}` : '';
  return `${smoke.status === 'passed' ? '✅ passed' : '❌ failed'}${detail ? ` (${detail})` : ''}${reason}`;
}

function tagList(report: RunReport): string {
  const tags = report.tags.map((tag) => `\`${tag}\``).join('<br>');
  // A partial publish lists what the registry has; a release that never pushed, what it planned.
  if (report.failedTags && report.failedTags.length > 0) return tags || 'none';
  return tags + (report.pushed ? '' : ' (not pushed)');
}

/** Rows of the table shared by the summary, the comment and the release notes. */
export function reportRows(report: RunReport): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Tags', tagList(report)],
    ...(report.failedTags && report.failedTags.length > 0
      ? [
          ['Failed tags', `${report.failedTags.map((tag) => `\`${tag}\``).join('<br>')} (not in the registry)`] as [
            string,
            string,
          ],
        ]
      : []),
    ['Digest', report.digest ? `\`${report.digest}\`` : 'none (not pushed)'],
  ];
  if (report.imageRef) rows.push(['Image ref', `\`${report.imageRef}\``]);
  rows.push(['Image ID', `\`${report.imageId}\``], ['Size', formatBytes(report.size)]);
  if (report.layers !== undefined) rows.push(['Layers', String(report.layers)]);
  rows.push(['Smoke test', describeSmoke(report.smoke)]);
  return rows;
}

function markdownTable(header: [string, string], rows: Array<[string, string]>): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return [
    `| ${header[0]} | ${header[1]} |`,
    '| --- | --- |',
    ...rows.map(([key, value]) => `| ${cell(key)} | ${cell(value)} |`),
  ].join('\n');
}

export function renderSummary(report: RunReport): string {
  const timing = report.durations.map(({ phase, ms }): [string, string] => [phase, formatDuration(ms)]);
  return [
    `## container-ship: \`${report.image}\` ${report.version}`,
    '',
    markdownTable(['', ''], reportRows(report)),
    '',
    '### Time per phase',
    '',
    markdownTable(['Phase', 'Time'], timing),
    '',
  ].join('\n');
}

export function renderFailureSummary(image: string | undefined, message: string, somethingPushed: boolean): string {
  return [
    `## ❌ container-ship${image ? `: \`${image}\`` : ''} failed`,
    '',
    `> ${message}`,
    '',
    ...(somethingPushed ? [] : ['Nothing was pushed.', '']),
  ].join('\n');
}

/** The sticky PR comment; the hidden marker on its first line is how the next run finds it. */
export function renderComment(report: RunReport): string {
  return [
    commentMarker(report.image),
    `### 🚢 container-ship: \`${report.image}\` ${report.version}`,
    '',
    markdownTable(['', ''], reportRows(report)),
    '',
  ].join('\n');
}

/**
 * The release notes with this image's section in them exactly once: appended the first time,
 * replaced in place on a re-run. Returns `undefined` when the notes already say the same.
 */
export function upsertReleaseSection(body: string | null | undefined, report: RunReport): string | undefined {
  const { start, end } = releaseMarkers(report.image);
  const refs = report.pushed ? report.tags : [];
  const lines = [
    start,
    `### Container image \`${report.image}\``,
    '',
    ...refs.map((ref) => `- \`${ref}\``),
    ...(report.imageRef ? [`- \`${report.imageRef}\``] : []),
    '',
    `Digest: \`${report.digest ?? 'not pushed'}\``,
    end,
  ];
  const section = lines.join('\n');
  const notes = body ?? '';
  const from = notes.indexOf(start);
  const to = notes.indexOf(end, from);
  let next: string;
  if (from !== -1 && to !== -1) next = notes.slice(0, from) + section + notes.slice(to + end.length);
  else next = notes.trim() === '' ? section : `${notes.trimEnd()}\n\n${section}`;
  return next === notes ? undefined : next;
}
