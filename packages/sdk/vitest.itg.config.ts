import { defineConfig } from 'vitest/config';
import { integrationConfig } from '../../vitest.shared.ts';

export default defineConfig(integrationConfig());
