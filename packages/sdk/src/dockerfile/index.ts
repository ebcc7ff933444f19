// @container-ship/sdk/dockerfile: Dockerfile analysis, lint (text, JSON, SARIF), generation and build reports.

export {
  type AnalyzeOptions,
  analyzeDockerfile,
  assertTarget,
  type DockerfileAnalysis,
  type DockerfileArg,
  type DockerfileHealthcheck,
  type DockerfileInstruction,
  type DockerfilePort,
  type DockerfileStage,
} from './analysis.js';
export {
  type BuildReport,
  type BuildReportOptions,
  buildReport,
  findWastedFiles,
  type LayerFile,
  readImageLayers,
  type WastedFile,
} from './build-report.js';
export { type GeneratedFile, type GenerateOptions, type GenerateResult, generateDockerfile } from './generate.js';
export {
  formatLintJson,
  formatLintText,
  type LintOptions,
  type LintResult,
  type LintTextOptions,
  lintDockerfile,
  lintDockerfileText,
  lintExitCode,
} from './lint.js';
export type { PythonFramework, PythonProject, PythonServer } from './python-project.js';
export { LINT_RULES, type LintBuilder, type LintFinding, type LintRule, type LintRuleId, type LintSeverity } from './rules.js';
export { type SarifOptions, toSarif } from './sarif.js';
