/** Timing and reporting helpers shared by the benchmarks. */
import { cpus } from "node:os";

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A function to time, with an optional step awaited before each of its repetitions (untimed). */
export interface Timed {
  fn: () => void;
  before?: () => Promise<void>;
}

/** Milliseconds of CPU time this process has used (user + system): a clock that load elsewhere on the machine does not inflate. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The number of calls of `fn` that take about `targetMs` of `clock` (at least 1). */
function calibrate(fn: () => void, targetMs: number, clock: () => number): number {
  fn();
  let k = 1;
  for (;;) {
    const t0 = clock();
    for (let i = 0; i < k; i++) fn();
    const dt = clock() - t0;
    if (dt >= targetMs / 4 || k >= 1 << 22) return Math.max(1, Math.round((k * targetMs) / Math.max(dt, 1e-3)));
    k *= 4;
  }
}

/** Microseconds per call of each timed function, one entry per measured round. */
export type Rounds<K extends string> = Record<K, number[]>;

/**
 * Microseconds per call of each function, per round: calibrates for each a batch of calls that
 * takes about `targetMs`, then runs one warm-up round and `reps` measured rounds, each round
 * timing one batch of every function in turn, so that all of them see the same load of the
 * machine. Before each batch it yields to the event loop (so that collected arrays release
 * their tensors) and runs the garbage collector when node was started with --expose-gc.
 */
export async function measureAll<K extends string>(fns: Record<K, Timed>, { targetMs = 40, reps = 7, clock = () => performance.now() } = {}): Promise<Rounds<K>> {
  const names = Object.keys(fns) as K[];
  const batch = {} as Record<K, number>;
  for (const n of names) {
    await fns[n].before?.();
    batch[n] = calibrate(fns[n].fn, targetMs, clock);
  }
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r <= reps; r++) {
    for (const n of names) {
      const { fn, before } = fns[n];
      await before?.();
      await tick();
      (globalThis as { gc?: () => void }).gc?.();
      const k = batch[n];
      const t0 = clock();
      for (let i = 0; i < k; i++) fn();
      const dt = clock() - t0;
      if (r > 0) times[n].push((dt * 1000) / k);
    }
  }
  return times;
}

/** The median time of `a` over the rounds. */
export function medianOf<K extends string>(rounds: Rounds<K>, a: K): number {
  return median(rounds[a]);
}

/** The median over the rounds of the ratio time(a) / time(b): robust to the load of the machine changing between rounds. */
export function ratioOf<K extends string>(rounds: Rounds<K>, a: K, b: K): number {
  return median(rounds[a].map((t, i) => t / rounds[b][i]));
}

/** Median microseconds per call of `fn` (see {@link measureAll}). */
export async function measure(fn: () => void, opts: { targetMs?: number; reps?: number } = {}): Promise<number> {
  return median((await measureAll({ fn: { fn } }, opts)).fn);
}

/** The median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Formats microseconds with three significant digits or so. */
export function fmtUs(us: number): string {
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2);
}

/** One line naming the date, Node version, CPU model and number of logical CPUs. */
export function machineInfo(): string {
  return `${new Date().toISOString()}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} logical CPUs)`;
}
