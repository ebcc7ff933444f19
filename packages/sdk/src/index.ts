// The public API of @container-ship/sdk: one flat list of named exports.

export {
  DOCKER_HUB_AUTH_KEY,
  type RegistryAuth,
  type ResolveRegistryAuthOptions,
  resolveRegistryAuth,
} from './auth/registry-auth.js';
export { type BuildImageOptions, type BuildResult, buildImage } from './build/build-image.js';
export { type BuildContextPlan, packBuildContext, planBuildContext } from './build/context.js';
export { DockerignoreMatcher, parseDockerignore } from './build/dockerignore.js';
export { type ContainerPurpose, LABELS, newRunId } from './cleanup/labels.js';
export { listShipContainers, type ShipContainer } from './cleanup/list.js';
export { type CleanupOptions, type CleanupResult, cleanup } from './cleanup/sweep.js';
export { type Clock, systemClock } from './clock.js';
export { parseDuration } from './config/duration.js';
export {
  CONFIG_FILE_NAMES,
  type LoadedShipConfig,
  type LoadShipConfigOptions,
  loadShipConfig,
  parseShipConfig,
} from './config/load.js';
export {
  type ConfigRegistryAuth,
  type ConfigRegistryTarget,
  type ConfigReleaseDefaults,
  type ConfigSmokeOptions,
  configDefaults,
  registryTarget,
} from './config/options.js';
export {
  type ReleaseOverrides,
  type ResolvedReleaseOptions,
  type ResolveReleaseOptionsContext,
  resolveReleaseOptions,
  type SmokeOverrides,
  tagPlanSettings,
} from './config/resolve.js';
export {
  type ShipConfig,
  type ShipConfigRegistry,
  type ShipConfigSmoke,
  shipConfigSchema,
} from './config/schema.js';
export {
  DeployError,
  type DeployOptions,
  type DeployResult,
  deploy,
  type RollbackOptions,
  resolvePinnedImage,
  rollback,
  type ScaleOptions,
  scale,
  serviceStatus,
  type UndeployOptions,
  undeploy,
} from './deploy/deploy.js';
export { type KubernetesManifestOptions, type KubernetesManifests, kubernetesManifests } from './deploy/k8s.js';
export {
  type ImageUser,
  type K8sPlan,
  type K8sPlanInput,
  type K8sResources,
  planKubernetes,
  resolveImageUser,
} from './deploy/k8s-plan.js';
export {
  type DeployHealth,
  healthProbeCommand,
  type PublishMode,
  planService,
  type ServicePlanInput,
} from './deploy/plan.js';
export { type RolloutVerdict, type ServiceStatus, type ServiceTask, summarizeService } from './deploy/rollout.js';
export {
  type AnalyzeOptions,
  analyzeDockerfile,
  assertTarget,
  type DockerfileAnalysis,
  type DockerfileArg,
  type DockerfileHealthcheck,
  type DockerfileInstruction,
  type DockerfilePort,
  type DockerfileStage,
} from './dockerfile/analysis.js';
export {
  type BuildReport,
  type BuildReportOptions,
  buildReport,
  findWastedFiles,
  type LayerFile,
  readImageLayers,
  type WastedFile,
} from './dockerfile/build-report.js';
export {
  type GeneratedFile,
  type GenerateOptions,
  type GenerateResult,
  generateDockerfile,
} from './dockerfile/generate.js';
export {
  formatLintJson,
  formatLintText,
  type LintOptions,
  type LintResult,
  type LintTextOptions,
  lintDockerfile,
  lintDockerfileText,
  lintExitCode,
} from './dockerfile/lint.js';
export type { PythonFramework, PythonProject, PythonServer } from './dockerfile/python-project.js';
export {
  LINT_RULES,
  type LintBuilder,
  type LintFinding,
  type LintRule,
  type LintRuleId,
  type LintSeverity,
} from './dockerfile/rules.js';
export { type SarifOptions, toSarif } from './dockerfile/sarif.js';
export { assertEngineReachable, type EngineOptions } from './engine/client.js';
export { describeConnection, type EngineConnection, parseEngineAddress } from './engine/connection.js';
export type { ContainerState, HealthState, PortBinding } from './engine/containers.js';
export {
  DISCOVERY_STRATEGIES,
  discoverEngine,
  type EngineDiscovery,
  resolveEngineConnection,
  systemDiscoveryInput,
} from './engine/discovery/discover.js';
export type { DiscoveryInput, DiscoveryStrategy, EngineRule, Finding } from './engine/discovery/strategy.js';
export {
  type EngineCallOptions,
  type ImageHealthcheck,
  type ImageHistoryEntry,
  type ImageInfo,
  imageHistory,
  inspectImage,
  removeImage,
  tagImage,
} from './engine/images.js';
export {
  type EngineBuilder,
  type EngineReport,
  type EngineVersionInfo,
  engineBuilders,
  engineProduct,
  inspectEngine,
} from './engine/info.js';
export { exportImage } from './engine/layers.js';
export {
  AbortedError,
  BuildError,
  ConfigError,
  causeChain,
  EngineUnavailableError,
  InvalidInputError,
  isShipError,
  PushError,
  RegistryError,
  ShipError,
  type ShipErrorCode,
} from './errors.js';
export { type FormatImageRefOptions, formatImageRef, type ImageRef, parseImageRef, registryOf } from './image-ref.js';
export { type ExecOptions, exec } from './manage/exec.js';
export { removeShipImage } from './manage/remove-image.js';
export type { ProgressEvent, ProgressListener, ProgressPhase } from './progress.js';
export { type PullImageOptions, type PullResult, pullImage } from './push/pull-image.js';
export { type PushedRef, type PushImageOptions, type PushResult, type PushRetryOptions, pushImage } from './push/push-image.js';
export { type BlobSource, type Manifest, RegistryClient, type RegistryClientOptions } from './registry/client.js';
export { classifyRegistryError, RegistryHttpError } from './registry/errors.js';
export { type PlanTagsInRepositoryOptions, planTagsInRepository } from './registry/guarded-plan.js';
export { type ListTagsOptions, listTags } from './registry/list-tags.js';
export { type LoginOptions, type LoginResult, login } from './registry/login.js';
export { MEDIA_TYPES } from './registry/media-types.js';
export { type PromoteOptions, type PromoteResult, promote } from './registry/promote.js';
export { ACR_REFRESH_TOKEN_USERNAME } from './registry/providers/acr.js';
export { detectProvider, type RegistryProvider } from './registry/providers/detect.js';
export { type StoreCredentialsOptions, type StoredCredentials, storeCredentials } from './registry/store-credentials.js';
export { type PublishEntry, summarizePublish } from './release/publish-summary.js';
export {
  ReleaseError,
  type ReleaseOptions,
  type ReleaseRegistryTls,
  type ReleaseResult,
  type ReleaseSmokeOptions,
  release,
} from './release/release.js';
export { type PublishTarget, type ReleaseRegistry, releaseTargets } from './release/targets.js';
export { type RetryDecision, type RetryOptions, withRetry } from './retry.js';
export { type ContainerLogsOptions, followLogs, readContainerLogs } from './run/container-logs.js';
export { parsePortSpec } from './run/ports.js';
export { type RunContainerOptions, type RunningContainer, runContainer } from './run/run-container.js';
export {
  isSecretName,
  PUBLIC_KEY_WORDS,
  SECRET_NAME_ENDINGS,
  SECRET_NAME_WORDS,
  SECRET_REFERENCE_SUFFIXES,
} from './secret-name.js';
export { type SmokeOptions, type SmokeResult, smokeTest } from './smoke/smoke-test.js';
export { isDockerTag, sanitizeTag } from './tags/docker-tag.js';
export { browsableUrl, type ReadGitContextOptions, readGitContext } from './tags/git-context.js';
export type { GitContext } from './tags/git-types.js';
export { type OciLabelsOptions, ociLabels, sourceDateEpoch } from './tags/oci-labels.js';
export { type PlanTagsOptions, planTags, type SkippedTag, type TagPlan } from './tags/plan.js';
export { DEFAULT_RULES, type Flavor, parseFlavor, parseRules, type RuleType, type TagRule } from './tags/rules.js';
export { versionFromGitRef } from './tags/version.js';
