// npm run k8s:check [overlay...]: renders each Kubernetes overlay with `kubectl kustomize` and
// validates every object against the Kubernetes OpenAPI schemas (kubernetes-models) or its CRD's
// (@kubernetes-models/keda, @kubernetes-models/prometheus-operator), offline. Prints one line
// per problem and exits 1 when there is any; --json prints {overlay: problems[]} instead;
// --stdin validates the YAML documents on standard input (as overlay "stdin").
// (The models packages are ESM only, hence a script: tests/unit/deploy-kubernetes.test.ts runs it.)
import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';

import { type K8sObject, OVERLAYS, renderOverlay } from '../tests/support/kubernetes';

/** The models package of each API group: the built-in Kubernetes ones, then the CRDs'. */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}`;
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

type Models = Record<string, new (data: unknown) => { validate(): void }>;

export async function validateObjects(objects: readonly K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const models = (await import(modelModule(object.apiVersion)).catch(() => ({}))) as Models;
    const Model = models[object.kind];
    if (!Model) {
      problems.push(`${object.apiVersion} ${object.kind}/${object.metadata.name}: no schema`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  return problems;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const overlays = args.filter((a) => !a.startsWith('--'));
  const report: Record<string, string[]> = {};
  if (args.includes('--stdin')) {
    const objects = parseAllDocuments(readFileSync(0, 'utf8')).map((d) => d.toJS() as K8sObject);
    report.stdin = await validateObjects(objects);
  }
  for (const overlay of args.includes('--stdin')
    ? overlays
    : overlays.length > 0
      ? overlays
      : OVERLAYS) {
    report[overlay] = await validateObjects(renderOverlay(overlay));
  }
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const [overlay, problems] of Object.entries(report)) {
      console.log(
        `${overlay}: ${problems.length === 0 ? 'valid' : `${problems.length} problem(s)`}`,
      );
      for (const problem of problems) console.log(`  ${problem}`);
    }
  }
  if (Object.values(report).some((p) => p.length > 0)) process.exitCode = 1;
}

if (require.main === module) void main();
