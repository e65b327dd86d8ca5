import { PlantpulseError } from '../../protocols/errors.js';

export type ServiceErrorCode =
  /** Debian packages are missing and we are not root: the message is the exact command to run. */
  | 'SERVICE_PACKAGES_MISSING'
  /** apt-get failed while installing missing packages. */
  | 'SERVICE_INSTALL_FAILED'
  /** The service process exited or never became ready before its deadline. */
  | 'SERVICE_START_FAILED'
  /** A request to a running service (e.g. creating a database) failed. */
  | 'SERVICE_REQUEST_FAILED';

/** A failure to provision or run a real service (InfluxDB, Mosquitto, VictoriaMetrics…) for tests or the demo. */
export class ServiceError extends PlantpulseError {
  declare readonly code: ServiceErrorCode;

  constructor(
    code: ServiceErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(code, message, options);
  }
}

/** Thrown by `ensureDebianPackages` when not root: `message` and `command` are the exact command to run. */
export class PackagesMissingError extends ServiceError {
  readonly missing: readonly string[];
  readonly command: string;

  constructor(missing: readonly string[], command: string) {
    super('SERVICE_PACKAGES_MISSING', command);
    this.missing = missing;
    this.command = command;
  }
}
