// Progress of a fill: a bar in a terminal, a line every tenth otherwise.
import { SingleBar } from 'cli-progress';

export function fillProgress(total: number, log: (line: string) => void): (done: number) => void {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: 'fill [{bar}] {value}/{total} predictions | {duration_formatted}',
      hideCursor: true,
      barsize: 25,
    });
    bar.start(total, 0);
    return (done) => {
      bar.update(done);
      if (done >= total) bar.stop();
    };
  }
  let next = 0.1;
  return (done) => {
    if (done / total + 1e-9 < next && done < total) return;
    log(`  fill: ${done}/${total} predictions`);
    while (next <= done / total) next += 0.1;
  };
}
