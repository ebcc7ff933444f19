import { createRequire as __shipCreateRequire } from 'node:module';
import { dirname as __shipDirname } from 'node:path';
import { fileURLToPath as __shipFileURLToPath } from 'node:url';
const require = __shipCreateRequire(import.meta.url);
const __filename = __shipFileURLToPath(import.meta.url);
const __dirname = __shipDirname(__filename);
import{a,b,c,d}from"./chunk-NZOUUQGI.js";import"./chunk-ZHQBY5KL.js";export{a as SshEngineError,b as isSshFailure,c as loadSsh2,d as openSshEngine};
//# sourceMappingURL=ssh-TW2RMPEP.js.map
