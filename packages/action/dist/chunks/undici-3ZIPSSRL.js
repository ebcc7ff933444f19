import { createRequire as __shipCreateRequire } from 'node:module';
import { dirname as __shipDirname } from 'node:path';
import { fileURLToPath as __shipFileURLToPath } from 'node:url';
const require = __shipCreateRequire(import.meta.url);
const __filename = __shipFileURLToPath(import.meta.url);
const __dirname = __shipDirname(__filename);
import{a}from"./chunk-IUMFLZJF.js";import"./chunk-ZHQBY5KL.js";export default a();
//# sourceMappingURL=undici-3ZIPSSRL.js.map
