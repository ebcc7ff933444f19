// Preloaded with `node --import` by lazy-load.itg.test.ts (and the bench): appends every module
// the process loads, ESM (a resolve hook) and CommonJS (Module._load), one per line, to the
// file SHIP_TRACE_MODULES names. Module._load sees the bundle's own require() calls too.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const out = process.env.SHIP_TRACE_MODULES;
if (out) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    let out;
    export function initialize(data) { out = data.out; }
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(out, 'esm ' + result.url + '\\n');
      return result;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url, { data: { out } });
  const load = Module._load;
  Module._load = function traced(request, parent, isMain) {
    appendFileSync(out, `cjs ${request}\n`);
    return load.call(this, request, parent, isMain);
  };
}
