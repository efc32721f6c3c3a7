// Checks that an uploaded model loads and runs, in a child process under a memory limit and a
// deadline: ONNX Runtime allocates natively (a worker thread's resourceLimits cap only the JS
// heap), so a hostile file could otherwise exhaust the memory of the process that checks it.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

import type { ModelManifest } from './manifest';

export interface ModelCheckOptions {
  /** Address space the child may map (prlimit --as), in MiB. Node needs about 1 GiB to start. */
  memoryMb: number;
  timeoutMs: number;
}

export type ModelCheck = { ok: true } | { ok: false; reason: string };

// The child runs the same kind of file as this one: .js when built, .ts from the sources (tsx).
const CHILD_FILE = path.join(__dirname, `model-check.child${path.extname(__filename)}`);

let prlimitPresent: boolean | undefined;

/** Whether util-linux's prlimit is there to cap the child's memory (Linux). */
export function canLimitMemory(): boolean {
  prlimitPresent ??= spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0;
  return prlimitPresent;
}

function command(memoryMb: number): { file: string; args: string[] } {
  // From the sources, tsx compiles the child. Its WebAssembly lexer reserves gigabytes of address
  // space, more than the limit: --jitless turns WebAssembly off (and V8's compiler; the child's
  // work is native). The built child runs as it is.
  const node = CHILD_FILE.endsWith('.ts')
    ? ['--jitless', '--import', 'tsx', CHILD_FILE]
    : [CHILD_FILE];
  if (!canLimitMemory()) return { file: process.execPath, args: node };
  const bytes = memoryMb * 1024 * 1024;
  return { file: 'prlimit', args: [`--as=${bytes}`, '--', process.execPath, ...node] };
}

/** The last line the child wrote, as its verdict. */
function verdict(stdout: string): ModelCheck | undefined {
  const line = stdout.trim().split('\n').pop();
  try {
    const parsed = JSON.parse(line ?? '') as { ok?: boolean; message?: string };
    if (parsed.ok === true) return { ok: true };
    if (parsed.ok === false) return { ok: false, reason: parsed.message ?? 'refused' };
  } catch {
    // no verdict: the child died
  }
  return undefined;
}

let queue: Promise<unknown> = Promise.resolve();

/** Loads the model once in a child process; one check runs at a time. */
export function checkModelIsolated(
  bytes: Uint8Array,
  manifest: ModelManifest,
  options: ModelCheckOptions,
): Promise<ModelCheck> {
  const run = queue.then(() => runCheck(bytes, manifest, options));
  queue = run.catch(() => undefined);
  return run;
}

function runCheck(
  bytes: Uint8Array,
  manifest: ModelManifest,
  options: ModelCheckOptions,
): Promise<ModelCheck> {
  return new Promise((resolve) => {
    const { file, args } = command(options.memoryMb);
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH, PREDICTQ_MODEL_MANIFEST: JSON.stringify(manifest) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on(
      'data',
      (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)),
    );
    // A child that dies early closes its stdin: the write error is the exit's to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(bytes);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `the model check could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        resolve({ ok: false, reason: `the model check took longer than ${options.timeoutMs} ms` });
        return;
      }
      const found = verdict(stdout);
      if (found) resolve(found);
      else {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const detail = /out of memory|bad_alloc|Cannot allocate/i.test(stderr)
          ? ` (memory limit of ${options.memoryMb} MiB)`
          : '';
        resolve({ ok: false, reason: `the model check crashed: ${how}${detail}` });
      }
    });
  });
}
