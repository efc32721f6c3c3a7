import { ErrorLog } from './error-log';

describe('ErrorLog', () => {
  it('writes the first error of each kind, then one summary per kind and interval', () => {
    let now = 0;
    const lines: string[] = [];
    const log = new ErrorLog(
      (line) => lines.push(line),
      5_000,
      () => now,
    );
    for (let i = 0; i < 500; i++) log.record('submit: ECONNREFUSED', `submit: refused ${i}`);
    log.record('poll: HTTP 503', 'poll: HTTP 503 unavailable');
    expect(lines).toEqual(['error: submit: refused 0', 'error: poll: HTTP 503 unavailable']);
    now = 5_000;
    log.record('submit: ECONNREFUSED', 'submit: refused again');
    expect(lines.slice(2)).toEqual([
      'error: submit: ECONNREFUSED ×499 more in the last 5 s',
      'error: submit: refused again',
    ]);
    now = 7_000;
    log.flush();
    expect(lines).toHaveLength(4);
  });
});
