// @container-ship/sdk/tags: metadata-action tag rules, git context, OCI labels and version helpers.

export { isDockerTag, sanitizeTag } from './docker-tag.js';
export { browsableUrl, type ReadGitContextOptions, readGitContext } from './git-context.js';
export type { GitContext } from './git-types.js';
export { imageNames } from './image-lines.js';
export { type OciLabelsOptions, ociLabels, sourceDateEpoch } from './oci-labels.js';
export { DEFAULT_RULES, type Flavor, parseFlavor, parseRules, type RuleType, type TagRule } from './rules.js';
export { versionFromGitRef } from './version.js';
