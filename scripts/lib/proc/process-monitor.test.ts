import { ProcessMonitor } from './process-monitor';

/** Uses `ms` of CPU time (not wall time: the machine may be busy with others). */
const burn = (ms: number) => {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
};

describe('ProcessMonitor', () => {
  it('counts the CPU a process uses within each window, and its memory', async () => {
    const monitor = new ProcessMonitor(
      [{ name: 'self', includes: 'this process', resolve: () => Promise.resolve([process.pid]) }],
      50,
    );
    await monitor.start();
    try {
      burn(300);
      const [busy] = await monitor.mark();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const [idle] = await monitor.mark();
      expect(busy!.pids).toEqual([process.pid]);
      expect(busy!.cpuSeconds).toBeGreaterThanOrEqual(0.28);
      expect(busy!.cpuSeconds).toBeLessThan(1);
      expect(idle!.cpuSeconds).toBeLessThan(busy!.cpuSeconds);
      expect(busy!.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(busy!.peakPssBytes).toBeGreaterThan(0);
    } finally {
      monitor.stop();
    }
  });

  it('leaves out a process that is gone, and counts nothing for a pid that never existed', async () => {
    const monitor = new ProcessMonitor([
      { name: 'none', includes: 'no process', resolve: () => Promise.resolve([2 ** 22 + 1]) },
    ]);
    await monitor.start();
    const [usage] = await monitor.mark();
    monitor.stop();
    expect(usage).toMatchObject({ pids: [], cpuSeconds: 0, peakRssBytes: 0, peakPssBytes: null });
  });
});
