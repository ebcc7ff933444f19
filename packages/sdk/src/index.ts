// @container-ship/sdk: the pipeline (build, run, smoke, push, pull, release, deploy, tag planning),
// the engine connection, errors and progress. Registries, Dockerfiles, ship.yaml and tag rules
// have their own entry points: @container-ship/sdk/registry, /dockerfile, /config, /tags.

export {
  type BuildImageOptions,
  type BuildOutputResult,
  type BuildResult,
  type BuildRun,
  buildImage,
} from './build/build-image.js';
export {
  type BuildOutputSpec,
  type BuildSecret,
  type BuildSsh,
  parseCacheFrom,
  parseCacheTo,
  parseOutputSpec,
  parseSecretSpec,
  parseSshSpec,
} from './build/build-options.js';
export type { BuildOutput, WrittenOutput } from './build/output.js';
export { type ContainerPurpose, LABELS, newRunId } from './cleanup/labels.js';
export { listShipContainers, type ShipContainer } from './cleanup/list.js';
export { type CleanupOptions, type CleanupResult, cleanup } from './cleanup/sweep.js';
export { type Clock, systemClock } from './clock.js';
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
  healthFromSmoke,
  healthProbeCommand,
  type PublishMode,
  planService,
  type ServicePlanInput,
  type SmokeSettingsForHealth,
} from './deploy/plan.js';
export { type RolloutVerdict, type ServiceStatus, type ServiceTask, summarizeService } from './deploy/rollout.js';
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
export {
  type Builder,
  type BuilderChoice,
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
export {
  ReleaseError,
  type ReleaseOptions,
  type ReleaseRegistryTls,
  type ReleaseResult,
  type ReleaseSmokeOptions,
  release,
} from './release/release.js';
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
export { type PlanTagsOptions, planTags, type SkippedTag, type TagPlan } from './tags/plan.js';
