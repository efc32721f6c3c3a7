// The metric names (and the label names their matchers use) in a PromQL expression, found by a
// small tokenizer: enough PromQL to tell a metric from a function, an aggregation, a keyword, a
// label list (by, without, on, ignoring, group_left, group_right), a string, a duration or a
// number. Used to check that dashboards and alert rules name only metrics the services expose.

export interface MetricSelector {
  name: string;
  /** Label names of the selector's matchers, e.g. ["status", "route"]. */
  labels: string[];
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);
const KEYWORDS = new Set(['bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan']);

const IDENT_START = /[A-Za-z_:]/;
const IDENT = /[A-Za-z0-9_:]/;
const SPACE = /\s/;

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  if (i >= expr.length) throw new SyntaxError(`unterminated string at ${start} in ${expr}`);
  return i + 1;
}

function closing(expr: string, start: number, close: string): number {
  const end = expr.indexOf(close, start);
  if (end < 0) throw new SyntaxError(`no "${close}" after ${start} in ${expr}`);
  return end + 1;
}

/** Parses the matchers of `{...}` starting at `start`; the metric name of a `__name__` matcher. */
function matchers(expr: string, start: number): { end: number; labels: string[]; name?: string } {
  const labels: string[] = [];
  let name: string | undefined;
  let i = start + 1;
  for (;;) {
    while (i < expr.length && (SPACE.test(expr[i]!) || expr[i] === ',')) i++;
    if (expr[i] === '}') return { end: i + 1, labels, ...(name ? { name } : {}) };
    const label = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*/.exec(expr.slice(i));
    if (!label) throw new SyntaxError(`bad matcher at ${i} in ${expr}`);
    i += label[0].length;
    if (!['"', "'", '`'].includes(expr[i] ?? '')) {
      throw new SyntaxError(`matcher value is not a string at ${i} in ${expr}`);
    }
    const valueEnd = skipString(expr, i);
    if (label[1] === '__name__' && label[2] === '=') name = expr.slice(i + 1, valueEnd - 1);
    else labels.push(label[1]!);
    i = valueEnd;
  }
}

export interface ParsedExpression {
  /** Every metric selector, in order (a metric used twice appears twice). */
  selectors: MetricSelector[];
  /** Label names of by, without, on, ignoring, group_left and group_right lists. */
  groupingLabels: string[];
}

export function parsePromql(expr: string): ParsedExpression {
  const found: MetricSelector[] = [];
  const groupingLabels: string[] = [];
  let pending: MetricSelector | undefined;
  let labelListNext = false;
  let i = 0;
  const nextNonSpace = (from: number) => {
    let j = from;
    while (j < expr.length && SPACE.test(expr[j]!)) j++;
    return j;
  };
  while (i < expr.length) {
    const c = expr[i]!;
    if (SPACE.test(c)) {
      i++;
    } else if (c === '#') {
      const eol = expr.indexOf('\n', i);
      i = eol < 0 ? expr.length : eol + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      pending = undefined;
    } else if (c === '{') {
      const parsed = matchers(expr, i);
      if (pending) pending.labels.push(...parsed.labels);
      else if (parsed.name) found.push({ name: parsed.name, labels: parsed.labels });
      else throw new SyntaxError(`a selector without a metric name at ${i} in ${expr}`);
      pending = undefined;
      i = parsed.end;
    } else if (c === '[') {
      i = closing(expr, i, ']');
      pending = undefined;
    } else if (c === '(' && labelListNext) {
      const end = closing(expr, i, ')');
      groupingLabels.push(
        ...expr
          .slice(i + 1, end - 1)
          .split(',')
          .map((label) => label.trim())
          .filter(Boolean),
      );
      i = end;
      labelListNext = false;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < expr.length && IDENT.test(expr[j]!)) j++;
      const word = expr.slice(i, j);
      const next = expr[nextNonSpace(j)];
      i = j;
      pending = undefined;
      if (LABEL_LIST_KEYWORDS.has(word)) {
        labelListNext = next === '(';
      } else if (KEYWORDS.has(word.toLowerCase())) {
        // an operator or a constant
      } else if (
        next === '(' ||
        (AGGREGATIONS.has(word) && /^(by|without)\b/.test(expr.slice(nextNonSpace(j))))
      ) {
        // a function call or an aggregation
      } else {
        pending = { name: word, labels: [] };
        found.push(pending);
      }
    } else if (/[0-9.]/.test(c)) {
      // A number (1e-9, 0x1f, 0.99) or a duration (5m, 1h30m).
      const token =
        /^(0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?([smhdwy]|ms)?([0-9]+([smhdwy]|ms))*)/i.exec(
          expr.slice(i),
        );
      i += token && token[0].length > 0 ? token[0].length : 1;
      pending = undefined;
    } else {
      i++;
      pending = undefined;
    }
  }
  return { selectors: found, groupingLabels };
}

/** Every metric selector in `expr`, in order. */
export function metricSelectors(expr: string): MetricSelector[] {
  return parsePromql(expr).selectors;
}

/** The metric names in `expr` (each once, sorted). */
export function metricNames(expr: string): string[] {
  return [...new Set(metricSelectors(expr).map((s) => s.name))].sort();
}
