import { defineConfig } from 'vitest/config';
import { podmanConfig } from '../../vitest.shared.ts';

export default defineConfig(podmanConfig('src/testing/podman-service.ts'));
