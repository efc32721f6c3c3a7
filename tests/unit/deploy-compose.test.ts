// The Docker Compose stack, read as Compose reads it (no Docker here): services, health checks,
// restart policies and scaling; the apps' environment against their own schemas; Prometheus's
// targets, Traefik's labels and Grafana's provisioning against the services, ports and paths
// they name; the router's credentials made at start, never committed; the Dockerfile's shape.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parse } from 'yaml';

import { loadApiConfig, apiEnvSchema } from '../../apps/api/src/config';
import { loadWorkerConfig, workerEnvSchema } from '../../apps/worker/src/config';
import { DATASOURCE_UIDS } from '../../scripts/lib/ops/dashboards';
import {
  type ComposeFile,
  type ComposeService,
  envExampleSections,
  readRepoFile,
  resolveCompose,
} from '../support/compose';
import { ROOT } from '../support/env';

const STACK = 'docker/docker-compose.yaml';
const ROUTER = 'extra/docker-compose.traefik.yaml';

// docker/.env as an operator writes it: .env.example with the required secrets filled in.
const { app, deployment } = envExampleSections();
const dotenv: Record<string, string> = {
  ...app,
  ...deployment,
  DOMAIN: 'predictq.test',
  ADMIN_TOKEN: 'an-admin-token-of-some-length',
  POSTGRES_PASSWORD: 'pgsecret1',
  GRAFANA_DB_PASSWORD: 'readersecret1',
  GRAFANA_ADMIN_PASSWORD: 'grafanasecret1',
  TRAEFIK_DASHBOARD_PASSWORD: 'routersecret12',
};
const stack: ComposeFile = resolveCompose(STACK, dotenv);
const router: ComposeFile = resolveCompose(ROUTER, dotenv);
const service = (name: string): ComposeService => {
  const found = stack.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

/** The port a service's process listens on, from its own settings. */
function listeningPort(name: string): number {
  const s = service(name);
  switch (name) {
    case 'api':
      return Number(s.environment!.PORT);
    case 'worker':
      return Number(s.environment!.WORKER_METRICS_PORT);
    case 'grafana':
      return Number(s.environment!.GF_SERVER_HTTP_PORT);
    case 'prometheus': {
      const flag = s.command!.find((arg) => arg.startsWith('--web.listen-address='));
      return Number(flag!.split(':').pop());
    }
    default:
      throw new Error(`no known port for ${name}`);
  }
}

/** The port a service serves /metrics on (the API's is kept off its public port). */
function metricsPort(name: 'api' | 'worker'): number {
  return name === 'api'
    ? Number(service('api').environment!.METRICS_PORT)
    : Number(service('worker').environment!.WORKER_METRICS_PORT);
}

/** The mount of `source` (relative to docker/) in a service, as its container path. */
function mountTarget(s: ComposeService, source: string): string | undefined {
  return s.volumes?.map((v) => v.split(':')).find(([from]) => from === source)?.[1];
}

describe('docker-compose.yaml', () => {
  it('runs redis, postgres, the api, the worker, prometheus and grafana', () => {
    expect(Object.keys(stack.services)).toEqual(
      expect.arrayContaining(['redis', 'postgres', 'api', 'worker', 'prometheus', 'grafana']),
    );
  });

  it('gives every long-running service a health check and a restart policy', () => {
    for (const [name, s] of Object.entries(stack.services)) {
      if (s.restart === 'no') continue; // one-shot jobs
      expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, test: s.healthcheck?.test }).toEqual({ name, test: expect.any(Array) });
    }
  });

  it('lets the worker scale: no container name, no host port, replicas from the environment', () => {
    const worker = service('worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(String(worker.deploy?.replicas)).toBe(deployment.WORKER_REPLICAS);
    for (const s of Object.values(stack.services)) expect(s.container_name).toBeUndefined();
  });

  it('keeps BullMQ jobs: Redis persists them and never evicts a key', () => {
    const command = service('redis').command!.join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(mountTarget(service('redis'), 'redis-data')).toBe('/data');
  });

  it('keeps PostgreSQL on a named volume and checks it with pg_isready', () => {
    const postgres = service('postgres');
    expect(mountTarget(postgres, 'postgres-data')).toBe('/var/lib/postgresql/data');
    expect(Object.keys(stack.volumes ?? {})).toContain('postgres-data');
    expect(postgres.healthcheck!.test.join(' ')).toMatch(/pg_isready/);
  });

  it('builds the api and the worker from docker/Dockerfile into the same image', () => {
    for (const name of ['api', 'worker']) {
      expect(service(name).build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(service(name).image).toBe(deployment.PREDICTQ_IMAGE);
    }
    expect(service('worker').command).toEqual(['node', 'apps/worker/src/main.js']);
  });

  it.each([
    ['api', apiEnvSchema, loadApiConfig],
    ['worker', workerEnvSchema, loadWorkerConfig],
  ] as const)(
    'sets every variable of the %s, with values its configuration accepts',
    (name, schema, load) => {
      const environment = service(name).environment!;
      expect(Object.keys(schema.shape).filter((key) => !(key in environment))).toEqual([]);
      const config = load(environment);
      expect(config.NODE_ENV).toBe('production');
      expect(config.DATABASE_URL).toBe('postgres://predictq:pgsecret1@postgres:5432/predictq');
      expect(config.REDIS_URL).toBe('redis://redis:6379');
      expect(config.MODEL_DIR).toBe('/var/lib/predictq/models');
    },
  );

  it("checks each app's health on the port it serves", () => {
    const url = (name: string) => service(name).healthcheck!.test.join(' ');
    expect(url('api')).toContain(`http://127.0.0.1:${listeningPort('api')}/healthz`);
    expect(url('worker')).toContain(`http://127.0.0.1:${listeningPort('worker')}/healthz`);
  });

  it('hands Grafana the variables its provisioning reads, and mounts what it provisions', () => {
    const grafana = service('grafana');
    const datasources = readRepoFile('grafana/provisioning/datasources/predictq.yaml');
    const used = [...datasources.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !grafana.environment?.[name])).toEqual([]);
    const parsed = parse(datasources) as { datasources: { uid: string; type: string }[] };
    expect(parsed.datasources.map((d) => [d.type, d.uid]).sort()).toEqual(
      [
        ['grafana-postgresql-datasource', DATASOURCE_UIDS.postgres],
        ['prometheus', DATASOURCE_UIDS.prometheus],
      ].sort(),
    );
    expect(mountTarget(grafana, '../grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const provider = parse(readRepoFile('grafana/provisioning/dashboards/predictq.yaml')) as {
      providers: { options: { path: string } }[];
    };
    const dashboards = mountTarget(grafana, '../grafana/dashboards');
    expect(provider.providers[0]!.options.path).toBe(dashboards);
    const home = grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(path.dirname(home)).toBe(dashboards);
    expect(readdirSync(path.join(ROOT, 'grafana', 'dashboards'))).toContain(path.basename(home));
    expect(grafana.environment!.PREDICTQ_PROMETHEUS_URL).toBe(
      `http://prometheus:${listeningPort('prometheus')}`,
    );
    expect(grafana.environment!.PREDICTQ_POSTGRES_HOST).toBe('postgres:5432');
  });
});

describe('prometheus.yml in the stack', () => {
  const config = parse(readRepoFile('prometheus/prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: {
      job_name: string;
      dns_sd_configs?: { names: string[]; port: number }[];
      static_configs?: { targets: string[] }[];
    }[];
  };

  it('is the file the prometheus service loads, with its rules beside it', () => {
    const prometheus = service('prometheus');
    const dir = mountTarget(prometheus, '../prometheus');
    expect(prometheus.command).toContain(`--config.file=${dir}/prometheus.yml`);
    expect(config.rule_files).toEqual(['alerts.yml']);
  });

  it('discovers the api and the workers by their service names on their metrics ports', () => {
    const discovered = config.scrape_configs.flatMap((job) =>
      (job.dns_sd_configs ?? []).flatMap((sd) =>
        sd.names.map((name) => [job.job_name, name, sd.port]),
      ),
    );
    expect(discovered.sort()).toEqual([
      ['api', 'api', metricsPort('api')],
      ['worker', 'worker', metricsPort('worker')],
    ]);
    expect(metricsPort('api')).not.toBe(listeningPort('api'));
    const self = config.scrape_configs.find((job) => job.job_name === 'prometheus');
    expect(self?.static_configs).toEqual([
      { targets: [`localhost:${listeningPort('prometheus')}`] },
    ]);
  });
});

describe('Traefik', () => {
  const traefik = router.services.traefik!;
  const routed = Object.entries({ ...stack.services, traefik }).filter(
    ([, s]) => s.labels?.['traefik.enable'] === 'true',
  );
  const routerFlags = traefik.command!;

  it('routes api., grafana. and prometheus. of the domain to the services of those names', () => {
    const hosts = routed.flatMap(([name, s]) =>
      Object.entries(s.labels!)
        .filter(([key]) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(key))
        .map(([, rule]) => [name, /Host\(`([^`]+)`\)/.exec(rule)?.[1]]),
    );
    expect(hosts.sort()).toEqual([
      ['api', 'api.predictq.test'],
      ['grafana', 'grafana.predictq.test'],
      ['prometheus', 'prometheus.predictq.test'],
      ['traefik', 'traefik.predictq.test'],
    ]);
  });

  it('points every router at a service of the same container, on the port it listens on', () => {
    for (const [name, s] of routed) {
      const labels = s.labels!;
      const routers = Object.keys(labels)
        .map((key) => /^traefik\.http\.routers\.([^.]+)\.rule$/.exec(key)?.[1])
        .filter((r): r is string => r !== undefined);
      expect(routers.length).toBeGreaterThan(0);
      for (const r of routers) {
        const target = labels[`traefik.http.routers.${r}.service`];
        expect([r, target]).toEqual([r, expect.any(String)]);
        expect(labels[`traefik.http.routers.${r}.entrypoints`]).toBe('websecure');
        expect(routerFlags).toContain('--entrypoints.websecure.address=:443');
        const resolver = labels[`traefik.http.routers.${r}.tls.certresolver`];
        expect(
          routerFlags.some((f) => f.startsWith(`--certificatesresolvers.${resolver}.acme.`)),
        ).toBe(true);
        if (target === 'api@internal') continue;
        const port = labels[`traefik.http.services.${target}.loadbalancer.server.port`];
        expect([name, Number(port)]).toEqual([name, listeningPort(name)]);
      }
    }
  });

  it('reaches the routed services over the external network www', () => {
    expect(stack.networks?.www).toEqual({ external: true });
    expect(router.networks?.www).toEqual({ external: true });
    expect(traefik.networks).toContain('www');
    expect(routerFlags).toContain('--providers.docker.network=www');
    expect(routerFlags).toContain('--providers.docker.exposedbydefault=false');
    for (const [name, s] of routed) {
      expect([name, s.networks]).toEqual([name, expect.arrayContaining(['www'])]);
      if (name !== 'traefik') expect(s.labels!['traefik.docker.network']).toBe('www');
    }
  });

  it('puts the dashboard and Prometheus behind the basic-auth middleware made at start', () => {
    const middlewares = routed.flatMap(([name, s]) =>
      Object.entries(s.labels!)
        .filter(([key]) => key.endsWith('.middlewares'))
        .map(([, value]) => [name, value]),
    );
    expect(middlewares.sort()).toEqual([
      ['prometheus', 'basic-auth@file'],
      ['traefik', 'basic-auth@file'],
    ]);
    const auth = router.services['traefik-auth']!;
    expect(auth.environment).toEqual(
      expect.objectContaining({ TRAEFIK_DASHBOARD_PASSWORD: 'routersecret12' }),
    );
    expect(traefik.depends_on?.['traefik-auth']).toEqual({
      condition: 'service_completed_successfully',
    });
    const volume = mountTarget(auth, 'traefik-auth');
    expect(routerFlags).toContain(`--providers.file.directory=${volume}`);
  });

  it('commits no password hash anywhere in the deployment files', () => {
    const files = ['docker', 'extra', 'grafana', 'prometheus'].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name)),
    );
    const hashes = files.filter((file) =>
      /\$2[aby]?\$\d\d\$|\$apr1\$|\{SHA\}[A-Za-z0-9+/=]{20}/.test(readFileSync(file, 'utf8')),
    );
    expect(hashes).toEqual([]);
  });
});

describe('extra/traefik/basic-auth.sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'predictq-basic-auth-'));
    // A stand-in for Apache's htpasswd (not installed here): prints what `htpasswd -niB` prints.
    writeFileSync(
      path.join(dir, 'htpasswd'),
      '#!/bin/sh\nfor user; do :; done\nread -r pw\n' +
        'echo "$user:\\$2y\\$10\\$$(printf %s "$pw" | sha256sum | cut -c1-53)"\n',
    );
    chmodSync(path.join(dir, 'htpasswd'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (user: string, password: string) =>
    spawnSync('sh', [path.join(ROOT, 'extra', 'traefik', 'basic-auth.sh')], {
      encoding: 'utf8',
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        TRAEFIK_DASHBOARD_USER: user,
        TRAEFIK_DASHBOARD_PASSWORD: password,
        AUTH_FILE: path.join(dir, 'auth.yaml'),
      },
    });

  it('writes the middleware with the hashed entry, and never the password', () => {
    const result = run('operator', 'a long enough password');
    expect(result.status).toBe(0);
    const written = readFileSync(path.join(dir, 'auth.yaml'), 'utf8');
    const users = (
      parse(written) as {
        http: { middlewares: Record<string, { basicAuth: { users: string[] } }> };
      }
    ).http.middlewares['basic-auth']!.basicAuth.users;
    expect(users).toEqual([expect.stringMatching(/^operator:\$2y\$10\$[0-9a-f]{53}$/)]);
    expect(written).not.toContain('a long enough password');
  });

  it('refuses a missing or short password and an unsafe user name', () => {
    expect(run('operator', '').status).not.toBe(0);
    expect(run('operator', 'short').status).not.toBe(0);
    expect(run('oper"ator', 'a long enough password').status).not.toBe(0);
    expect(run('', 'a long enough password').status).not.toBe(0);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readRepoFile('docker/Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('builds in stages and runs a slim Node 20 image as an unprivileged user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toMatch(/^CMD \["node", "apps\/api\/src\/main\.js"\]$/m);
  });

  it('installs production dependencies only for the runtime, and builds with npm run build', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const build = /^RUN npm run ([\w:-]+)/m.exec(dockerfile)?.[1];
    const scripts = (
      JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts[build!]).toBe('tsx scripts/build.ts');
  });
});
