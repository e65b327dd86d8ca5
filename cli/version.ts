/** The installed version (protocols/package-version.ts) and the `--version` line. */
import { packageVersion } from '../protocols/package-version.js';

export { packageVersion };

/** `plantpulse 0.1.0 (node v20.20.2, linux x64)` */
export function versionLine(): string {
  return `plantpulse ${packageVersion()} (node ${process.version}, ${process.platform} ${process.arch})`;
}
