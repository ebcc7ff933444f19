import { createRequire as __shipCreateRequire } from 'node:module';
import { dirname as __shipDirname } from 'node:path';
import { fileURLToPath as __shipFileURLToPath } from 'node:url';
const require = __shipCreateRequire(import.meta.url);
const __filename = __shipFileURLToPath(import.meta.url);
const __dirname = __shipDirname(__filename);
import{b as a}from"./chunk-DY2CKRQ6.js";import"./chunk-YZIGJNNA.js";import"./chunk-ZHQBY5KL.js";export default a();
//# sourceMappingURL=dist-LSRBSUT7.js.map
