// The public API of @container-ship/sdk: one flat list of named exports.

export { type Clock, systemClock } from './clock.js';
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
export { assertEngineReachable, type EngineOptions } from './engine/client.js';
export { describeConnection, type EngineConnection, resolveEngineConnection } from './engine/connection.js';
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
export type { ProgressEvent, ProgressListener, ProgressPhase } from './progress.js';
export { type RetryDecision, type RetryOptions, withRetry } from './retry.js';
