// The release docs/sdk-run-smoke-release.md shows, run for real by `npm run docs:capture`:
// release() of the example, printing each phase-start/phase-end event (ms since the call),
// then the result with the build, plan and smoke shortened.
//   node docs/examples/release-events.mjs localhost:5001/docs-3f2a1b/example
import { release } from '@container-ship/sdk';

const image = process.argv[2];
if (!image) {
  console.error('usage: node docs/examples/release-events.mjs REGISTRY/REPOSITORY');
  process.exit(2);
}
const started = performance.now();
const result = await release({
  context: 'examples/flask-app',
  image,
  version: 'v1.0.0',
  smoke: { expectBody: 'Hello from Docker!' },
  onProgress: (event) => {
    if (event.type !== 'phase-start' && event.type !== 'phase-end') return;
    const ok = event.type === 'phase-end' ? ` ok=${event.ok}` : '';
    console.log(`${Math.round(performance.now() - started)} ms ${event.type} ${event.phase}${ok}: ${event.message}`);
  },
});
const { build, plan, smoke, ...rest } = result;
const shortened = {
  ...rest,
  build: {
    imageId: build.imageId,
    builder: build.builder,
    durationMs: build.durationMs,
    steps: build.steps,
    cachedSteps: build.cachedSteps,
  },
  plan: { version: plan.version, tags: plan.tags, labels: '…', skipped: plan.skipped },
  smoke: smoke && { status: smoke.status, url: smoke.url, httpStatus: smoke.httpStatus, durationMs: smoke.durationMs },
};
console.log(JSON.stringify(shortened, null, 2));
