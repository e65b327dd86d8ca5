import type { ConfigIssue } from './errors.js';
import type { KeyPath } from './key-path.js';

/** What a semantic check may ask the loader beyond the config itself. */
export interface SemanticContext {
  /** true when the value at this path came from a `${env:…}`, `${file:…}` or `${cred:…}` reference */
  fromReference(path: KeyPath): boolean;
}

/** A check that runs after the schema passed: cross-field rules a schema cannot express. */
export type SemanticCheck<T> = (cfg: T, ctx: SemanticContext) => ConfigIssue[];

export { agentSemanticChecks } from './agent-checks.js';
export { cloudSemanticChecks } from './cloud-checks.js';
