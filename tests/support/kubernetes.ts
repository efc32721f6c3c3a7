// The Kubernetes manifests as built by `kubectl kustomize` (no cluster needed), and the KEDA
// queries in them: shared by the manifest validation and the Prometheus query test.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';

export const KUBERNETES_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'kubernetes');
export const OVERLAYS = ['dev', 'production'] as const;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // Each kind's own fields; the tests read what they check.
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** Every object of an overlay, rendered by Debian's kubectl (its built-in kustomize). */
export function renderOverlay(overlay: string): K8sObject[] {
  const out = execFileSync(
    'kubectl',
    ['kustomize', path.join(KUBERNETES_DIR, 'overlays', overlay)],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export interface KedaTrigger {
  scaledObject: string;
  name: string;
  query: string;
  threshold: number;
}

/** The Prometheus triggers of every ScaledObject of an overlay, with their exact queries. */
export function kedaTriggers(objects: readonly K8sObject[]): KedaTrigger[] {
  return objects
    .filter((o) => o.kind === 'ScaledObject')
    .flatMap((o) =>
      (o.spec.triggers as { type: string; name: string; metadata: Record<string, string> }[])
        .filter((t) => t.type === 'prometheus')
        .map((t) => ({
          scaledObject: o.metadata.name,
          name: t.name,
          query: t.metadata.query ?? '',
          threshold: Number(t.metadata.threshold),
        })),
    );
}
