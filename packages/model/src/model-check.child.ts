// The child process of checkModelIsolated: loads the model read from stdin with the manifest from
// the environment (a dry run on one zero row), then reports on stdout and exits. Runs under a
// memory limit, so a hostile model can only bring this process down.
import { modelManifestSchema } from './manifest';
import { OnnxScorer } from './scorer';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function main(): Promise<void> {
  const manifest = modelManifestSchema.parse(JSON.parse(process.env.PREDICTQ_MODEL_MANIFEST ?? ''));
  const bytes = await readStdin();
  const scorer = await OnnxScorer.load(bytes, manifest);
  await scorer.release();
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`${JSON.stringify({ ok: false, message })}\n`);
    process.exit(1);
  },
);
