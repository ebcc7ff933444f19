import { defineConfig } from 'vitest/config';
import { unitConfig } from '../../vitest.shared.ts';

export default defineConfig(unitConfig());
