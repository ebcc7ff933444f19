import { createRequire as __shipCreateRequire } from 'node:module';
import { dirname as __shipDirname } from 'node:path';
import { fileURLToPath as __shipFileURLToPath } from 'node:url';
const require = __shipCreateRequire(import.meta.url);
const __filename = __shipFileURLToPath(import.meta.url);
const __dirname = __shipDirname(__filename);
import{j as a,k as b,l as c}from"./chunk-VOBITPUS.js";import"./chunk-OLCSA53G.js";import"./chunk-STQH7RSV.js";import"./chunk-ZHQBY5KL.js";export{c as listTags,b as repositoryTags,a as withRepositoryClient};
//# sourceMappingURL=list-tags-Q6UVHHZT.js.map
