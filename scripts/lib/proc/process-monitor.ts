// Per-process CPU and memory over measured windows. Every ~500 ms it reads /proc for each group
// of processes (the API, the workers, PostgreSQL, Redis, the load generator): the CPU ticks of
// every process it has seen, and the group's summed RSS and PSS, whose peaks it keeps. mark()
// closes a window and answers each group's CPU seconds and memory peaks within it.
import { readFile } from 'node:fs/promises';

import { readMemory, readStat, ticksPerSecond } from './proc-files';

export interface ProcessGroup {
  /** Short key of the report (api, worker, postgres, ...). */
  name: string;
  /** What the group includes, said once in the report. */
  includes: string;
  /** The group's processes now; asked again at every sample, so processes may come and go. */
  resolve(): Promise<number[]>;
}

export interface GroupUsage {
  name: string;
  includes: string;
  /** Every process seen in the window. */
  pids: number[];
  cpuSeconds: number;
  /** Highest sum of VmRSS over the group's processes at one sample. */
  peakRssBytes: number;
  /** Highest sum of PSS (shared pages split between their users); null when unreadable. */
  peakPssBytes: number | null;
}

interface Tracked {
  startTime: number;
  /** Ticks at the window's start (0 for a process started within the window). */
  baseTicks: number;
  lastTicks: number;
  /** The sample that last found it alive. */
  seen: number;
}

interface GroupState {
  tracked: Map<number, Tracked>;
  peakRss: number;
  peakPss: number | null;
}

/** Ticks after boot, now (the start times in /proc/<pid>/stat count from boot too). */
async function uptimeTicks(): Promise<number> {
  const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
  return uptime * ticksPerSecond();
}

export class ProcessMonitor {
  private readonly states = new Map<string, GroupState>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private windowStart = 0;
  private samples = 0;

  constructor(
    private readonly groups: readonly ProcessGroup[],
    private readonly intervalMs = 500,
  ) {}

  /** Opens the first window and samples until stop(). */
  async start(): Promise<void> {
    await this.openWindow();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Closes the window open since start() or the last mark(), and opens the next. */
  async mark(): Promise<GroupUsage[]> {
    await this.freshSample();
    const usage = this.groups.map((group) => this.usage(group));
    await this.openWindow();
    return usage;
  }

  private usage(group: ProcessGroup): GroupUsage {
    const state = this.states.get(group.name)!;
    let ticks = 0;
    for (const t of state.tracked.values()) ticks += t.lastTicks - t.baseTicks;
    return {
      name: group.name,
      includes: group.includes,
      pids: [...state.tracked.keys()].sort((a, b) => a - b),
      cpuSeconds: ticks / ticksPerSecond(),
      peakRssBytes: state.peakRss,
      peakPssBytes: state.peakPss,
    };
  }

  /** The next window counts from the current values of the processes alive now. */
  private async openWindow(): Promise<void> {
    const start = await uptimeTicks();
    // A sample in flight belongs to the closing window.
    while (this.sampling) await this.sampling;
    this.windowStart = start;
    for (const group of this.groups) {
      const previous = this.states.get(group.name);
      const state: GroupState = { tracked: new Map(), peakRss: 0, peakPss: null };
      for (const [pid, t] of previous?.tracked ?? []) {
        state.tracked.set(pid, { ...t, baseTicks: t.lastTicks });
      }
      this.states.set(group.name, state);
    }
    await this.freshSample();
    // Processes gone before the window opened count nothing in it.
    for (const state of this.states.values()) {
      for (const [pid, t] of state.tracked) if (t.seen !== this.samples) state.tracked.delete(pid);
    }
  }

  /** A sample started now, not one already in flight. */
  private async freshSample(): Promise<void> {
    while (this.sampling) await this.sampling;
    await this.sample();
  }

  private sample(): Promise<void> {
    // One sample at a time: a slow /proc read must not pile samples up.
    if (this.sampling) return this.sampling;
    this.samples += 1;
    this.sampling = Promise.all(this.groups.map((g) => this.sampleGroup(g)))
      .then(() => undefined)
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  private async sampleGroup(group: ProcessGroup): Promise<void> {
    const state = this.states.get(group.name)!;
    const pids = await group.resolve().catch(() => [...state.tracked.keys()]);
    let rss = 0;
    let pss: number | null = 0;
    let read = 0;
    await Promise.all(
      pids.map(async (pid) => {
        const [stat, memory] = await Promise.all([readStat(pid), readMemory(pid)]);
        if (!stat) return;
        this.track(state, pid, stat.startTime, stat.cpuTicks);
        if (!memory) return;
        read += 1;
        rss += memory.rssBytes;
        pss = pss === null || memory.pssBytes === undefined ? null : pss + memory.pssBytes;
      }),
    );
    state.peakRss = Math.max(state.peakRss, rss);
    if (pss !== null && read > 0) state.peakPss = Math.max(state.peakPss ?? 0, pss);
  }

  private track(state: GroupState, pid: number, startTime: number, ticks: number): void {
    const known = state.tracked.get(pid);
    if (known && known.startTime === startTime) {
      known.lastTicks = ticks;
      known.seen = this.samples;
      return;
    }
    // A process first seen now: all its CPU is in the window when it started within it;
    // otherwise only what it uses from now on counts (its past is not the window's).
    const base = startTime >= this.windowStart ? 0 : ticks;
    state.tracked.set(pid, { startTime, baseTicks: base, lastTicks: ticks, seen: this.samples });
  }
}
