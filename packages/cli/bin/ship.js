#!/usr/bin/env node
// The bundle is built by build.mjs (npm run build); say so plainly when it is missing.
try {
  await import('../dist/ship.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/ship.js')) throw error;
  process.stderr.write('✖ ship is not built yet; run npm run build (or node packages/cli/build.mjs) first.\n');
  process.exitCode = 1;
}
