// The Kubernetes manifests, validated without a cluster: every overlay builds with Debian's
// kubectl, every object validates against the Kubernetes OpenAPI schemas (kubernetes-models) or
// its CRD's (KEDA, Prometheus Operator), and the parts fit together: selectors, ports, probes,
// variables, grace periods, and the series the KEDA queries name.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { OPERATIONS } from '@predictq/contract';
import { createApiMetrics, createMetricsRegistry, createWorkerMetrics } from '@predictq/metrics';

import { envExampleSections } from '../support/compose';
import { kedaTriggers, type K8sObject, OVERLAYS, renderOverlay } from '../support/kubernetes';

/** Runs scripts/check-kubernetes.ts (the models packages are ESM only; jest runs CommonJS). */
function checkKubernetes(args: string[], input?: string): Record<string, string[]> {
  const run = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(ROOT, 'scripts', 'check-kubernetes.ts'), '--json', ...args],
    { encoding: 'utf8', cwd: ROOT, ...(input === undefined ? {} : { input }) },
  );
  const last = run.stdout.trim().split('\n').pop();
  if (!last) throw new Error(`check-kubernetes printed nothing: ${run.stderr}`);
  return JSON.parse(last) as Record<string, string[]>;
}

interface Container {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}

const podTemplates = (objects: readonly K8sObject[]) =>
  objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => ({
      owner: o,
      labels: o.spec.template.metadata.labels as Record<string, string>,
      spec: o.spec.template.spec as {
        containers: Container[];
        securityContext?: { runAsNonRoot?: boolean };
        terminationGracePeriodSeconds?: number;
      },
    }));

type Selector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

function selects(selector: Selector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return (e.values ?? []).includes(labels[e.key] ?? '');
    throw new Error(`operator ${e.operator} not handled by this test`);
  });
  return byLabels && byExpressions;
}

const { app: envExample } = envExampleSections();
const ROOT = path.resolve(__dirname, '..', '..');

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = renderOverlay(overlay);
  const templates = podTemplates(objects);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const configMap = objects.find((o) => o.metadata.name.startsWith('predictq-config'))!;

  it('builds, and every object validates against its schema', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(checkKubernetes([overlay])).toEqual({ [overlay]: [] });
  }, 60_000);

  it('rejects an object that breaks its schema (the validation can fail)', () => {
    const broken = structuredClone(deployments[0]!);
    broken.spec.replicas = 'two';
    const unknown = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'x' } };
    const input = [broken, unknown].map((o) => JSON.stringify(o)).join('\n---\n');
    const problems = checkKubernetes(['--stdin'], input).stdin ?? [];
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/replicas/);
    expect(problems[1]).toMatch(/no schema/);
  }, 60_000);

  it('has selectors that match their pods, for every selecting object', () => {
    for (const d of deployments) {
      expect(
        selects(
          d.spec.selector as Selector,
          d.spec.template.metadata.labels as Record<string, string>,
        ),
      ).toBe(true);
    }
    const selecting = objects.filter((o) =>
      ['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'PodMonitor', 'ServiceMonitor'].includes(
        o.kind,
      ),
    );
    for (const o of selecting) {
      const selector: Selector =
        o.kind === 'Service'
          ? { matchLabels: o.spec.selector }
          : o.kind === 'NetworkPolicy'
            ? o.spec.podSelector
            : o.spec.selector;
      if (o.kind === 'NetworkPolicy' && Object.keys(selector).length === 0) continue; // all pods
      const target =
        o.kind === 'ServiceMonitor'
          ? objects.filter((s) => s.kind === 'Service').map((s) => s.metadata.labels ?? {})
          : templates.map((t) => t.labels);
      expect({
        [o.kind]: o.metadata.name,
        matches: target.some((l) => selects(selector, l)),
      }).toEqual({ [o.kind]: o.metadata.name, matches: true });
    }
  });

  it('scales only objects that exist (HPA, ScaledObjects)', () => {
    const names = new Set(deployments.map((d) => d.metadata.name));
    for (const o of objects.filter((x) =>
      ['HorizontalPodAutoscaler', 'ScaledObject'].includes(x.kind),
    )) {
      expect(names).toContain(o.spec.scaleTargetRef.name);
    }
    // The API's HPA and the workers' ScaledObjects never target the same Deployment.
    const targets = objects
      .filter((x) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(x.kind))
      .map((x) => x.spec.scaleTargetRef.name as string);
    expect(new Set(targets).size).toBe(targets.length);
  });

  it('points Services and monitors at container ports that exist', () => {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const pods = templates.filter((t) =>
        selects({ matchLabels: service.spec.selector }, t.labels),
      );
      const ports = pods.flatMap((p) => p.spec.containers.flatMap((c) => c.ports ?? []));
      for (const port of service.spec.ports as { targetPort: string | number }[]) {
        expect(
          ports.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort),
        ).toBe(true);
      }
    }
    for (const monitor of objects.filter((o) => o.kind === 'PodMonitor')) {
      const pods = templates.filter((t) => selects(monitor.spec.selector as Selector, t.labels));
      expect(pods.length).toBeGreaterThan(0);
      for (const endpoint of monitor.spec.podMetricsEndpoints as { port: string }[]) {
        for (const pod of pods) {
          expect(
            pod.spec.containers.some((c) => c.ports?.some((p) => p.name === endpoint.port)),
          ).toBe(true);
        }
      }
    }
  });

  it('probes routes that exist: the API operation table, the worker health server', () => {
    const apiPaths = new Set(Object.values(OPERATIONS).map((op) => op.path));
    for (const t of templates) {
      for (const c of t.spec.containers) {
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          if (!probe?.httpGet) continue;
          const isApi = t.labels['app.kubernetes.io/name'] === 'predictq-api';
          if (isApi) expect(apiPaths).toContain(probe.httpGet.path);
          else expect(probe.httpGet.path).toBe('/healthz'); // apps/worker/src/health-server.ts
          expect(c.ports?.some((p) => p.name === probe.httpGet!.port)).toBe(true);
        }
      }
      if (t.labels['app.kubernetes.io/name'] === 'predictq-api') {
        expect(t.spec.containers[0]!.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(t.spec.containers[0]!.livenessProbe?.httpGet?.path).toBe('/healthz');
      }
    }
  });

  it('sets only variables of .env.example, and the ConfigMap with the Secret holds all of them', () => {
    const configured = new Set(Object.keys(configMap.data ?? {}));
    const secretKeys = ['DATABASE_URL', 'REDIS_URL', 'ADMIN_TOKEN', 'WEBHOOK_SECRET'];
    for (const key of configured) expect(Object.keys(envExample)).toContain(key);
    for (const t of templates) {
      for (const c of t.spec.containers) {
        for (const e of c.env ?? []) expect(Object.keys(envExample)).toContain(e.name);
        const refs = (c.envFrom ?? []).map((r) => r.configMapRef?.name ?? r.secretRef?.name);
        expect(refs).toEqual([configMap.metadata.name, 'predictq-secrets']);
      }
    }
    const missing = Object.keys(envExample).filter(
      (k) => !configured.has(k) && !secretKeys.includes(k),
    );
    expect(missing).toEqual([]);
    const secret = objects.find((o) => o.kind === 'Secret');
    if (overlay === 'dev')
      expect(Object.keys(secret?.data ?? {}).sort()).toEqual([...secretKeys].sort());
    else expect(secret).toBeUndefined(); // production: created out of band
    expect(configMap.data?.MIGRATE_ON_START).toBe('false');
  });

  it('gives every pod a grace period longer than its drain deadline (SHUTDOWN_TIMEOUT_MS)', () => {
    const drainS = Number(configMap.data?.SHUTDOWN_TIMEOUT_MS) / 1000;
    expect(drainS).toBeGreaterThan(0);
    for (const d of deployments) {
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drainS);
    }
  });

  it('runs every container non-root, read-only, without privileges or capabilities', () => {
    for (const t of templates) {
      expect(t.spec.securityContext?.runAsNonRoot).toBe(true);
      for (const c of t.spec.containers) {
        expect(c.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  it('has KEDA queries that name only series the API and the worker export', () => {
    const registry = createMetricsRegistry();
    createApiMetrics(registry);
    createWorkerMetrics(registry);
    const exported = new Set(
      registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name),
    );
    const triggers = kedaTriggers(objects);
    expect(triggers.map((t) => `${t.scaledObject}/${t.name}`).sort()).toEqual([
      'predictq-training/training-backlog',
      'predictq-worker/backlog',
      'predictq-worker/oldest-wait',
    ]);
    for (const trigger of triggers) {
      const series = trigger.query.match(/\bpredictq_[a-z_]+/g) ?? [];
      expect(series.length).toBeGreaterThan(0);
      for (const name of series) expect(exported).toContain(name);
    }
  });

  it('ships every Grafana dashboard as a ConfigMap generated from grafana/dashboards/', () => {
    const dir = path.resolve(__dirname, '..', '..', 'grafana', 'dashboards');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const map = objects.find((o) => o.kind === 'ConfigMap' && o.data?.[file] !== undefined);
      expect(map?.metadata.labels?.grafana_dashboard).toBe('1');
      expect(map?.data?.[file]).toBe(readFileSync(path.join(dir, file), 'utf8'));
    }
  });
});
