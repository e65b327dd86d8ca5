import { PlantpulseError } from '../../protocols/errors.js';

export interface DeriveProblem {
  /** key path in the device config, e.g. devices[lathe-03].derive.state.from */
  path: string;
  message: string;
}

/** A device's `derive` section refers to metrics that do not exist, or contradicts itself. */
export class DeriveConfigError extends PlantpulseError {
  readonly problems: readonly DeriveProblem[];

  constructor(device: string, problems: readonly DeriveProblem[]) {
    super(
      'DERIVE_CONFIG',
      `device ${device}: invalid derive configuration:\n` +
        problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** The persisted integrator state could not be written; the agent keeps running and retries. */
export class DeriveStateWriteError extends PlantpulseError {
  constructor(path: string, cause: unknown) {
    super('DERIVE_STATE_WRITE', `cannot write derive state ${path}`, { cause, retryable: true });
  }
}
