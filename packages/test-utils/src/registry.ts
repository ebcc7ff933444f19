// @container-ship/test-utils/registry: registries, a token server, a fault-injecting proxy and
// fake cloud token endpoints for tests, and images pushed straight through the registry API.

export * from './fake-cloud.js';
export * from './proxy.js';
export * from './registry-server.js';
export * from './synthetic-image.js';
export * from './token-server.js';
