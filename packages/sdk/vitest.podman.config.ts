import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { podmanConfig } from '../../vitest.shared.ts';

export default defineConfig(podmanConfig(fileURLToPath(import.meta.resolve('@container-ship/test-utils/podman-service'))));
