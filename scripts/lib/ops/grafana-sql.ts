// Grafana's PostgreSQL macros, expanded as Grafana expands them before sending a panel's query
// (see Grafana's docs, "PostgreSQL data source: Macros"), so that the tests can run every SQL
// panel against the migrated schema. An unknown macro or variable is an error.

export interface SqlContext {
  from: Date;
  to: Date;
  /** What $__interval stands for (a panel's minimum interval, or Grafana's choice). */
  intervalMs: number;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Grafana interval text (5m, 30s, 1h, 100ms) in milliseconds. */
export function intervalMs(text: string): number {
  const match = /^\s*'?(\d+)(ms|s|m|h|d|w|y)'?\s*$/.exec(text);
  if (!match) throw new Error(`not an interval: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function intervalText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Splits macro arguments at top-level commas (not inside parentheses or quotes). */
function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') args.push(current.trim());
  return args;
}

function expand(name: string, args: string[], context: SqlContext): string {
  const from = `'${context.from.toISOString()}'`;
  const to = `'${context.to.toISOString()}'`;
  const fromUnix = Math.floor(context.from.getTime() / 1000);
  const toUnix = Math.floor(context.to.getTime() / 1000);
  const column = () => {
    if (!args[0]) throw new Error(`$__${name} needs a column`);
    return args[0];
  };
  const seconds = () => {
    if (!args[1]) throw new Error(`$__${name} needs an interval`);
    return intervalMs(args[1]) / 1000;
  };
  switch (name) {
    case 'time':
      return `${column()} AS "time"`;
    case 'timeEpoch':
      return `extract(epoch from ${column()}) AS "time"`;
    case 'timeFilter':
      return `${column()} BETWEEN ${from} AND ${to}`;
    case 'timeFrom':
      return from;
    case 'timeTo':
      return to;
    case 'timeGroup':
      return `floor(extract(epoch from ${column()})/${seconds()})*${seconds()}`;
    case 'timeGroupAlias':
      return `floor(extract(epoch from ${column()})/${seconds()})*${seconds()} AS "time"`;
    case 'unixEpochFilter':
      return `${column()} >= ${fromUnix} AND ${column()} <= ${toUnix}`;
    case 'unixEpochFrom':
      return String(fromUnix);
    case 'unixEpochTo':
      return String(toUnix);
    case 'unixEpochGroup':
      return `floor((${column()})/${seconds()})*${seconds()}`;
    case 'unixEpochGroupAlias':
      return `floor((${column()})/${seconds()})*${seconds()} AS "time"`;
    default:
      throw new Error(`unknown Grafana macro $__${name}`);
  }
}

/** `sql` with Grafana's variables and macros expanded for `context`. */
export function expandSqlMacros(sql: string, context: SqlContext): string {
  let text = sql
    .replace(/\$__interval_ms\b/g, String(context.intervalMs))
    .replace(/\$__interval\b/g, intervalText(context.intervalMs));
  for (;;) {
    const match = /\$__(\w+)\(/.exec(text);
    if (!match) break;
    const open = match.index + match[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) throw new Error(`unbalanced parentheses after $__${match[1]}`);
    const args = splitArguments(text.slice(open + 1, close));
    text = text.slice(0, match.index) + expand(match[1]!, args, context) + text.slice(close + 1);
  }
  const left = /\$\{?[A-Za-z_]\w*/.exec(text);
  if (left) throw new Error(`unexpanded Grafana variable or macro ${left[0]}`);
  return text;
}
