/**
 * `plantpulse install-service agent|cloud -c /etc/plantpulse/agent.yaml`: writes the systemd unit for this
 * installation (this node, this plantpulse, that config) to /etc/systemd/system, or prints it (`--print`), and says
 * what to run next. It does not start anything: enabling a service is the integrator's step.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../args.js';
import { credentialNames, extraDataDir, renderUnit, type ServiceKind } from '../service/systemd-unit.js';
import { packageVersion } from '../version.js';
import type { Command, CommandIo } from './command.js';

const USAGE = `usage: plantpulse install-service agent|cloud -c <config.yaml> [options]

Writes plantpulse-<agent|cloud>.service for this installation: runs as its own user with no capabilities, a
read-only file system except /var/lib/plantpulse-<agent|cloud>, secrets through LoadCredential= for every
\${cred:NAME} in the config, restarted after any exit. Prints the next steps; starts nothing.
  -c, --config <f>        the config file the service runs (made absolute)
  --user <name>           system user to run as (default plantpulse)
  --unit-dir <dir>        where to write the unit (default /etc/systemd/system)
  --credentials-dir <d>   where the credential files are (default /etc/plantpulse/credentials)
  --print                 print the unit on stdout instead of writing it`;

export async function runInstallService(argv: string[], io: CommandIo): Promise<number> {
  const args = parse(argv, {
    config: { type: 'string', short: 'c' },
    user: { type: 'string' },
    'unit-dir': { type: 'string' },
    'credentials-dir': { type: 'string' },
    print: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('error' in args) return usage(io, args.error);
  const v = args.values;
  if (v.help === true) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const kind = args.positionals[0];
  if (kind !== 'agent' && kind !== 'cloud') return usage(io, 'say which service: agent or cloud');
  if (args.positionals.length > 1) return usage(io, `unexpected argument "${args.positionals[1]}"`);
  if (typeof v.config !== 'string') return usage(io, 'missing -c <config.yaml>');
  const config = resolve(v.config);
  let configText: string;
  try {
    configText = await readFile(config, 'utf8');
  } catch (err) {
    io.stderr.write(
      `install-service: cannot read ${config}: ${(err as NodeJS.ErrnoException).code ?? err}\n`,
    );
    return 2;
  }
  const user = typeof v.user === 'string' ? v.user : 'plantpulse';
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) return usage(io, `--user "${user}" is not a valid user name`);
  const credentialsDir = resolve(
    typeof v['credentials-dir'] === 'string' ? v['credentials-dir'] : '/etc/plantpulse/credentials',
  );
  const unit = renderUnit({
    kind: kind as ServiceKind,
    node: process.execPath,
    bin: fileURLToPath(new URL('../../../bin/plantpulse.js', import.meta.url)),
    config,
    configText,
    user,
    credentialsDir,
    version: packageVersion(),
  });
  if (v.print === true) {
    io.stdout.write(unit);
    return 0;
  }
  const dir = resolve(typeof v['unit-dir'] === 'string' ? v['unit-dir'] : '/etc/systemd/system');
  const file = join(dir, `plantpulse-${kind}.service`);
  try {
    await access(dir);
    await writeFile(file, unit, { mode: 0o644 });
  } catch (err) {
    io.stderr.write(
      `install-service: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? err} (run as root, or --print)\n`,
    );
    return 1;
  }
  const creds = credentialNames(configText);
  const dataDir = extraDataDir(kind as ServiceKind, configText);
  io.stdout.write(
    [
      `wrote ${file}`,
      'next:',
      `  useradd --system --home-dir /var/lib/plantpulse-${kind} --shell /usr/sbin/nologin ${user}   # once`,
      // outside the state directory the file system is read-only: the data folder must exist before the start
      ...(dataDir === undefined ? [] : [`  install -d -m 0700 -o ${user} -g ${user} ${dataDir}`]),
      ...creds.map(
        (c) => `  install -m 0600 -o root -g root /dev/stdin ${credentialsDir}/${c}   # the secret ${c}`,
      ),
      `  systemd-analyze verify ${file}`,
      `  systemctl daemon-reload && systemctl enable --now plantpulse-${kind}`,
      `  journalctl -u plantpulse-${kind} -f`,
      '',
    ].join('\n'),
  );
  return 0;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`install-service: ${message}\n\n${USAGE}\n`);
  return 2;
}

export const installServiceCommand: Command = { summary: '', usage: USAGE, run: runInstallService };
