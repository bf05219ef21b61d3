/**
 * Keeps the Docker description of ClinicFlow (docker-compose.yml, Dockerfile, temporal-config/)
 * true to the code without running Docker: each check ties the description to what it
 * describes, so renaming a config variable, a search attribute or a script fails here instead
 * of in a newcomer's first `docker compose up`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SearchAttributeType } from '@temporalio/common';
import { parse } from 'yaml';
import { z } from 'zod';
import { configSchema, parseConfig } from '../domain/config';
import { SEARCH_ATTRIBUTES } from '../domain/temporal';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// The part of the Compose format this project uses. Parsing through zod types the file and
// fails with a path when it takes a shape the checks below would silently misread.
const serviceSchema = z.looseObject({
  image: z.string().optional(),
  build: z.looseObject({ context: z.string(), dockerfile: z.string() }).optional(),
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  depends_on: z
    .record(z.string(), z.looseObject({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) }))
    .optional(),
  healthcheck: z.looseObject({ test: z.array(z.string()) }).optional(),
});
type Service = z.infer<typeof serviceSchema>;

const composeSchema = z.looseObject({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown()).optional(),
});

// `merge: true` because the file shares the app settings through `<<:` merge keys, as Compose does.
const compose = composeSchema.parse(parse(read('docker-compose.yml'), { merge: true }));

function service(name: string): Service {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has no service ${name}`);
  return found;
}

/** What a user's .env holds: a value for every variable the file marks required (`${VAR:?…}`). */
const USER_ENV: Record<string, string> = {
  POSTGRES_PASSWORD: 'compose-test-password',
  JWT_SECRET: 'compose-test-jwt-secret-that-is-long-enough',
  PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  PAYLOAD_ENCRYPTION_KEY_ID: 'k1',
  CREDENTIAL_ENCRYPTION_KEYS: `c1:${Buffer.alloc(32, 9).toString('base64')}`,
  CREDENTIAL_ENCRYPTION_KEY_ID: 'c1',
};

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/**
 * Compose's variable substitution, for the forms this file may use. Stricter than Compose on
 * purpose: a bare `${VAR}` is refused, so every variable either has a default or says it is
 * required, and a fresh checkout never starts with an empty secret.
 */
function interpolate(value: string, env: Record<string, string>): string {
  assert.ok(!value.replace(VARIABLE, '').includes('$'), `unsupported substitution in ${value}`);
  return value.replace(VARIABLE, (match: string, name?: string, op?: string, fallback?: string) => {
    if (match === '$$') return '$';
    const current = name === undefined ? undefined : env[name];
    switch (op) {
      case ':-':
        return current || (fallback ?? '');
      case '-':
        return current ?? fallback ?? '';
      case ':?':
      case '?':
        if (current === undefined || (op === ':?' && current === '')) throw new Error(`${name} is required: ${fallback}`);
        return current;
      default:
        throw new Error(`${match} has no default (:-) and is not marked required (:?)`);
    }
  });
}

function environmentOf(name: string, env = USER_ENV): Record<string, string> {
  const raw = service(name).environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, interpolate(value, env)]));
}

/** Short port syntax `[ip:]host:container`, the only one the file uses. */
function publishedPorts(name: string): Array<{ host: string; container: string }> {
  return (service(name).ports ?? []).map((spec) => {
    const parts = spec.split(':');
    return { host: parts.at(-2) ?? '', container: parts.at(-1) ?? '' };
  });
}

/** Bind mounts as [host path relative to the repo, container path]. */
function bindMounts(name: string): Array<[string, string]> {
  return (service(name).volumes ?? [])
    .map((spec) => spec.split(':'))
    .filter(([source]) => source?.startsWith('.') || source?.startsWith('/'))
    .map(([source = '', target = '']) => [source, target]);
}

/** The repo file (normalised, relative) a container path of a service reads through its bind mounts. */
function hostFileFor(name: string, containerPath: string): string | undefined {
  for (const [source, target] of bindMounts(name)) {
    if (containerPath === target) return path.posix.normalize(source);
    if (containerPath.startsWith(`${target}/`)) return path.posix.join(source, containerPath.slice(target.length + 1));
  }
  return undefined;
}

const APP_SERVICES = ['migrate', 'schedules', 'worker', 'api'] as const;

// `void`: node:test tracks each test's promise itself; the lint rule wants that said explicitly.

test('describes every service of the stack with pinned images', () => {
  assert.equal(service('postgres').image, 'postgres:17');
  assert.equal(service('temporal').image, 'temporalio/auto-setup:1.29.1');
  assert.match(service('temporal-bootstrap').image ?? '', /^temporalio\/admin-tools:1\.29\.1(-|$)/);
  assert.equal(service('temporal-ui').image, 'temporalio/ui:2.42.1');

  // The three ClinicFlow processes are one image from ./Dockerfile; the npm script picks the process.
  const scripts = z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(read('package.json'))).scripts;
  for (const name of APP_SERVICES) {
    const app = service(name);
    assert.deepEqual(app.build, { context: '.', dockerfile: 'Dockerfile' }, `${name} builds from ./Dockerfile`);
    assert.equal(app.image, service('api').image, `${name} shares the api image`);
    assert.deepEqual(app.command, ['npm', 'run', name]);
    assert.ok(scripts[name], `package.json has no "${name}" script for service ${name}`);
  }
});

test('publishes the ports people connect to', () => {
  assert.deepEqual(publishedPorts('postgres'), [{ host: '5432', container: '5432' }]);
  assert.deepEqual(publishedPorts('temporal'), [{ host: '7233', container: '7233' }]);
  assert.deepEqual(publishedPorts('temporal-ui'), [{ host: '8233', container: '8080' }]);
  assert.deepEqual(publishedPorts('api'), [{ host: '3000', container: '3000' }]);

  // The api listens where its port is published, on every interface of its container.
  const api = environmentOf('api');
  assert.equal(api.API_PORT, '3000');
  assert.equal(api.API_HOST, '0.0.0.0');

  // Links the api builds and the origins it lets call its codec endpoints are the UI as the browser sees it.
  const uiOrigin = 'http://localhost:8233';
  assert.equal(new URL(api.TEMPORAL_UI_URL ?? '').origin, uiOrigin);
  assert.deepEqual(parseConfig(api).CODEC_CORS_ORIGINS, [uiOrigin]);
  assert.equal(environmentOf('temporal-ui').TEMPORAL_CORS_ORIGINS, uiOrigin);
});

test('gives every ClinicFlow process a configuration domain/config.ts accepts', () => {
  // Required = fails without a value: neither optional nor defaulted.
  const required = Object.entries(configSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key);
  assert.ok(required.includes('DATABASE_URL') && required.includes('JWT_SECRET'), `unexpected required set ${required.join(', ')}`);

  const postgres = environmentOf('postgres');
  for (const name of APP_SERVICES) {
    const raw = service(name).environment ?? {};
    for (const key of required) assert.ok(key in raw, `${name} lacks ${key}, which domain/config.ts requires`);

    const config = parseConfig(environmentOf(name));
    const db = new URL(config.DATABASE_URL);
    assert.equal(db.hostname, 'postgres', `${name} reaches the postgres service`);
    assert.equal(db.port, '5432');
    assert.equal(decodeURIComponent(db.username), postgres.POSTGRES_USER);
    assert.equal(decodeURIComponent(db.password), postgres.POSTGRES_PASSWORD);
    assert.equal(db.pathname, `/${postgres.POSTGRES_DB}`);
    assert.equal(config.TEMPORAL_ADDRESS, 'temporal:7233', `${name} reaches the temporal service`);
    assert.equal(config.TEMPORAL_NAMESPACE, environmentOf('temporal-bootstrap').TEMPORAL_NAMESPACE, `${name} uses the namespace temporal-bootstrap prepares`);
  }
});

test('takes secrets from the environment, never from the file', () => {
  const secrets: Array<[string, string]> = [
    ['postgres', 'POSTGRES_PASSWORD'],
    ['temporal', 'POSTGRES_PWD'],
    ...APP_SERVICES.flatMap((name): Array<[string, string]> => [
      [name, 'JWT_SECRET'],
      [name, 'PAYLOAD_ENCRYPTION_KEYS'],
    ]),
  ];
  for (const [name, key] of secrets) {
    assert.match(service(name).environment?.[key] ?? '', /^\$\{[A-Z_]+:\?[^}]*\}$/, `${name}.${key} must be a required variable`);
  }
  for (const name of APP_SERVICES) {
    assert.match(service(name).environment?.DATABASE_URL ?? '', /:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/, `${name}'s DATABASE_URL takes its password from the environment`);
  }
  // Without the user's values the file refuses to resolve rather than start with empty secrets.
  assert.throws(() => environmentOf('api', {}), /required/);
});

test('starts services in dependency order', () => {
  const dependsOn = (name: string) =>
    Object.fromEntries(Object.entries(service(name).depends_on ?? {}).map(([dep, { condition }]) => [dep, condition]));

  assert.ok(service('postgres').healthcheck?.test.join(' ').includes('pg_isready'), 'postgres is healthy once pg_isready says so');
  assert.deepEqual(dependsOn('temporal'), { postgres: 'service_healthy' });
  assert.deepEqual(dependsOn('migrate'), { postgres: 'service_healthy' });
  assert.deepEqual(dependsOn('temporal-bootstrap'), { temporal: 'service_started' });
  assert.deepEqual(dependsOn('temporal-ui'), { temporal: 'service_started' });
  for (const name of ['api', 'worker', 'schedules']) {
    assert.deepEqual(dependsOn(name), {
      migrate: 'service_completed_successfully',
      'temporal-bootstrap': 'service_completed_successfully',
    });
  }
});

test('creates the Schedules once at start-up, and the worker keeps them in line and serves its metrics', () => {
  // The one-shot service runs the same reconciler the worker runs in the background.
  const schedules = service('schedules');
  assert.equal(schedules.restart, 'no', 'schedules runs once');
  const scripts = z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(read('package.json'))).scripts;
  assert.match(scripts.schedules ?? '', /scripts\/ensure-schedules\.ts$/);
  assert.match(read('scripts/ensure-schedules.ts'), /reconcileSchedules\(/);
  assert.match(read('workers/worker.ts'), /reconcileSchedulesInBackground\(/, 'the worker reconciles the Schedules too');

  const worker = parseConfig(environmentOf('worker'));
  assert.ok(worker.SCHEDULE_RECONCILE_INTERVAL_MINUTES > 0, 'workers re-check the Schedules periodically');
  assert.equal(worker.WORKER_METRICS_HOST, '0.0.0.0', 'Prometheus reaches the worker across the compose network');
  assert.equal(worker.WORKER_METRICS_PORT, 9464);
});

test('mounts and copies only files that exist', () => {
  for (const [name, svc] of Object.entries(compose.services)) {
    for (const spec of svc.volumes ?? []) {
      const [source = ''] = spec.split(':');
      if (source.startsWith('.') || source.startsWith('/')) {
        assert.ok(existsSync(path.resolve(ROOT, source)), `${name} mounts ${source}, which does not exist`);
      } else {
        assert.ok(compose.volumes && source in compose.volumes, `${name} uses volume ${source}, which is not declared`);
      }
    }
  }

  // Files the containers are told to read arrive through those mounts.
  const temporal = environmentOf('temporal');
  const dynamicConfig = hostFileFor('temporal', path.posix.join('/etc/temporal', temporal.DYNAMIC_CONFIG_FILE_PATH ?? ''));
  assert.equal(dynamicConfig, 'temporal-config/dynamicconfig/development-sql.yaml');
  const bootstrapScript = service('temporal-bootstrap').entrypoint?.at(-1) ?? '';
  assert.equal(hostFileFor('temporal-bootstrap', bootstrapScript), 'temporal-config/bootstrap.sh');

  for (const line of read('Dockerfile').split('\n').filter((l) => /^COPY\s/.test(l))) {
    const words = line.trim().split(/\s+/).slice(1).filter((w) => !w.startsWith('--'));
    for (const source of words.slice(0, -1)) {
      assert.ok(existsSync(path.join(ROOT, source)), `Dockerfile copies ${source}, which does not exist`);
    }
  }
});

test('the dynamic config is Temporal dynamic config YAML with the settings ClinicFlow relies on', () => {
  const entries = z.array(
    z.strictObject({
      value: z.union([z.boolean(), z.number(), z.string()]),
      constraints: z.record(z.string(), z.unknown()).optional(),
    }),
  ).min(1);
  const dynamicConfig = z.record(z.string(), entries).parse(parse(read('temporal-config/dynamicconfig/development-sql.yaml')));

  const valueOf = (key: string) => dynamicConfig[key]?.[0]?.value;
  assert.equal(valueOf('limit.maxIDLength'), 255);
  for (const key of [
    'system.forceSearchAttributesCacheRefreshOnRead',
    'frontend.enableUpdateWorkflowExecution',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted',
    'frontend.enableExecuteMultiOperation',
    'frontend.workerVersioningWorkflowAPIs',
  ]) {
    assert.equal(valueOf(key), true, key);
  }
});

// The CLI's spelling of each SDK search attribute type (`--type` of `search-attribute create`).
const CLI_TYPE: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

test('bootstrap.sh registers exactly the search attributes of domain/temporal.ts', () => {
  const script = read('temporal-config/bootstrap.sh');
  const block = /^SEARCH_ATTRIBUTES=\(\n([^)]*)\)/m.exec(script)?.[1];
  assert.ok(block, 'bootstrap.sh has no SEARCH_ATTRIBUTES=( ... ) list');
  const registered = block.split(/\s+/).filter(Boolean).sort();
  const expected = Object.values(SEARCH_ATTRIBUTES)
    .map((key) => `${key.name}:${CLI_TYPE[key.type]}`)
    .sort();
  assert.deepEqual(registered, expected);

  assert.match(script, /^#!\/usr\/bin\/env bash\n/);
  assert.match(script, /\$\{TEMPORAL_ADDRESS:-/, 'the server address comes from TEMPORAL_ADDRESS');
  assert.equal(environmentOf('temporal-bootstrap').TEMPORAL_ADDRESS, 'temporal:7233');
  execFileSync('bash', ['-n', path.join(ROOT, 'temporal-config/bootstrap.sh')]); // syntax only, runs nothing
});

test('the Dockerfile builds on node:20 from the lockfile and runs unprivileged', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));
  assert.match(instructions.find((i) => i.startsWith('FROM ')) ?? '', /^FROM node:20([-.]|\s|$)/);
  assert.ok(instructions.some((i) => /^COPY .*package-lock\.json/.test(i)), 'the lockfile is copied in');
  assert.ok(instructions.some((i) => /^RUN npm install\b/.test(i)), 'dependencies are installed from the lockfile');
  assert.match(dockerfile, /npx prisma generate/);
  // The last USER and CMD are the ones the container runs with.
  const last = (prefix: string) => instructions.filter((i) => i.startsWith(prefix)).at(-1) ?? '';
  assert.match(last('USER '), /^USER (?!root\b|0\b)\S+/);
  assert.equal(last('CMD '), 'CMD ["npm", "run", "api"]');

  // Host dependencies, local data and secrets stay out of the build context.
  const ignored = new Set(read('.dockerignore').split('\n').map((l) => l.trim()));
  for (const entry of ['node_modules', '.data', '.tools', 'prisma/generated', '.git', '.env']) {
    assert.ok(ignored.has(entry), `.dockerignore lacks ${entry}`);
  }
});
