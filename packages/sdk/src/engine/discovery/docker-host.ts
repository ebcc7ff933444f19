import { parseEngineAddress, tlsFromEnv } from '../connection.js';
import type { DiscoveryStrategy } from './strategy.js';

/** `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`): the docker CLI's first rule. */
export const dockerHostStrategy: DiscoveryStrategy = {
  rule: 'DOCKER_HOST',
  explicit: true,
  find({ env }) {
    const host = env.DOCKER_HOST?.trim();
    if (!host) return { found: false, tried: ['DOCKER_HOST (unset)'] };
    return { found: true, connection: parseEngineAddress(host, tlsFromEnv(env)), detail: `DOCKER_HOST=${host}` };
  },
};
