import { createRequire as __shipCreateRequire } from 'node:module';
import { dirname as __shipDirname } from 'node:path';
import { fileURLToPath as __shipFileURLToPath } from 'node:url';
const require = __shipCreateRequire(import.meta.url);
const __filename = __shipFileURLToPath(import.meta.url);
const __dirname = __shipDirname(__filename);
import{a,b,c}from"./chunk-NKCJ5WPR.js";import"./chunk-STQH7RSV.js";import"./chunk-ZHQBY5KL.js";export{a as analyzeDockerfile,b as assertTarget,c as substituteVariables};
//# sourceMappingURL=analysis-CNIIZG42.js.map
