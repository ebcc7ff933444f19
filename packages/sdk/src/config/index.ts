// @container-ship/sdk/config: ship.yaml, its schema, and the one resolver of ship.yaml plus flags or inputs.

export { parseDuration } from './duration.js';
export { CONFIG_FILE_NAMES, type LoadedShipConfig, type LoadShipConfigOptions, loadShipConfig, parseShipConfig } from './load.js';
export {
  type ConfigRegistryAuth,
  type ConfigRegistryTarget,
  type ConfigReleaseDefaults,
  type ConfigSmokeOptions,
  configDefaults,
  registryTarget,
} from './options.js';
export {
  buildSettings,
  type ReleaseOverrides,
  type ResolvedReleaseOptions,
  type ResolveReleaseOptionsContext,
  resolveReleaseOptions,
  type SmokeOverrides,
  tagPlanSettings,
} from './resolve.js';
export { type ShipConfig, type ShipConfigRegistry, type ShipConfigSmoke, shipConfigSchema } from './schema.js';
