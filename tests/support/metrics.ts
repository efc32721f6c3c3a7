// Reading a Prometheus exposition: which metric families have samples.

/** Family names with at least one sample (histogram _bucket/_sum/_count count as their family). */
export function familiesWithSamples(exposition: string, families: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = line.split(/[{ ]/, 1)[0] as string;
    for (const family of families) {
      if (
        name === family ||
        name === `${family}_bucket` ||
        name === `${family}_sum` ||
        name === `${family}_count`
      ) {
        found.add(family);
      }
    }
  }
  return found;
}

export async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  if (response.status !== 200) throw new Error(`${url}/metrics answered ${response.status}`);
  return response.text();
}
