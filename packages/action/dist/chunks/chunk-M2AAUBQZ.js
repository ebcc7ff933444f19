import { createRequire as __shipCreateRequire } from 'node:module';
import { dirname as __shipDirname } from 'node:path';
import { fileURLToPath as __shipFileURLToPath } from 'node:url';
const require = __shipCreateRequire(import.meta.url);
const __filename = __shipFileURLToPath(import.meta.url);
const __dirname = __shipDirname(__filename);
import{a as r}from"./chunk-ZHQBY5KL.js";var e=class extends Error{static{r(this,"SshEngineError")}name="SshEngineError";code="ESSH"};function o(n){return n instanceof e}r(o,"isSshFailure");export{e as a,o as b};
//# sourceMappingURL=chunk-M2AAUBQZ.js.map
