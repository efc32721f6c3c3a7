// Reading a Prometheus text exposition (a /metrics body): every sample name with the label names
// its samples carry.

/** Sample name (histograms give name_bucket, name_sum, name_count) → label names seen on it. */
export type ExposedMetrics = Map<string, Set<string>>;

function labelNames(body: string, line: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < body.length) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"/.exec(body.slice(i));
    if (!match) throw new SyntaxError(`bad labels in exposition line: ${line}`);
    names.push(match[1]!);
    i += match[0].length;
    while (i < body.length && body[i] !== '"') i += body[i] === '\\' ? 2 : 1;
    i++; // the closing quote
    while (i < body.length && /[\s,]/.test(body[i]!)) i++;
  }
  return names;
}

/** Adds the samples of `exposition` to `into` (or a new map) and returns it. */
export function exposedMetrics(
  exposition: string,
  into: ExposedMetrics = new Map(),
): ExposedMetrics {
  for (const line of exposition.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new SyntaxError(`bad exposition line: ${line}`);
    let labels: string[] = [];
    if (line[name.length] === '{') {
      // The label block ends at the last "}" before the value.
      const end = line.lastIndexOf('}');
      labels = labelNames(line.slice(name.length + 1, end), line);
    }
    const known = into.get(name) ?? new Set<string>();
    for (const label of labels) known.add(label);
    into.set(name, known);
  }
  return into;
}
