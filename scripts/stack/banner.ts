/** What the launcher prints once everything is up: where things are and who can sign in. Never secrets. */
import { type Config } from '../../domain/config';
import { type SeedSummary } from '../../prisma/seed';
import { displayPath } from './launcher-support';

/** The URL with its password removed: the banner ends up in terminals, logs and screenshots. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** Where the demo clinic's email goes: the inbox, unless its configuration was changed since the first start. */
function demoEmailNote(configuredNow: boolean): string {
  return configuredNow ? '  Its email goes to the mail inbox above.' : '  Its email goes to the mail inbox above, unless its configuration was changed since.';
}

export function banner(opts: {
  config: Config;
  seed: SeedSummary;
  temporalUiUrl?: string;
  mailInboxUrl?: string;
  embeddedPostgres: boolean;
  envFile: string;
  seconds: number;
}): string {
  const { config, seed } = opts;
  const api = `http://localhost:${config.API_PORT}`;
  const rows: Array<[string, string]> = [
    ['API', `${api}/api/v1`],
    ['API docs', `${api}/docs`],
    ['OpenAPI JSON', `${api}/api/v1/openapi.json`],
    ...(opts.temporalUiUrl ? [['Temporal Web UI', opts.temporalUiUrl] as [string, string]] : []),
    ...(opts.mailInboxUrl ? [['Mail inbox', opts.mailInboxUrl] as [string, string]] : []),
    ['Temporal gRPC', `${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE})`],
    ['PostgreSQL', `${withoutPassword(config.DATABASE_URL)}${opts.embeddedPostgres ? ' (embedded)' : ''}`],
  ];
  const logins: Array<[string, string]> = [
    ...(seed.superAdmin ? [['SUPER_ADMIN', seed.superAdmin.email] as [string, string]] : []),
    ...seed.demoStaff.map((s): [string, string] => [s.role, s.email]),
  ];
  const format = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `    ${k.padEnd(16)} ${v}`);
  const envName = displayPath(opts.envFile);
  const line = '─'.repeat(72);
  return [
    line,
    `  ClinicFlow is running (ready in ${opts.seconds.toFixed(1)} s). Ctrl-C stops everything.`,
    '',
    ...format(rows),
    ...(seed.demoClinic ? ['', `  Demo clinic "${seed.demoClinic.name}", id ${seed.demoClinic.id}`, '  (platform staff name it with the X-Clinic-Id header)'] : []),
    ...(opts.mailInboxUrl && seed.demoEmail?.created !== undefined ? [demoEmailNote(seed.demoEmail.created)] : []),
    ...(logins.length
      ? ['', `  Logins (password: see SUPERADMIN_PASSWORD / DEMO_STAFF_PASSWORD in ${envName}, unless changed since)`, ...format(logins)]
      : ['', '  No logins seeded: set SUPERADMIN_EMAIL and SUPERADMIN_PASSWORD']),
    line,
  ].join('\n');
}
