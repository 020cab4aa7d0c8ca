/** One benchmark of `npm run bench`: it runs, prints a short report, and says whether its targets were met. */
export interface Benchmark {
  name: string;
  run(): Promise<BenchmarkResult>;
}

export interface BenchmarkResult {
  /** Report lines, already printed. */
  lines: string[];
  /** Each target with whether the median met it. */
  targets: { name: string; met: boolean }[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `min … max` of a series, to show how noisy the runs were. */
export function spread(values: number[], digits = 0): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/** A positive number from the environment (a benchmark knob), or the default. */
export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A report printed as it is written: `print` shows a line and keeps it in `lines`; `targets` collects what is checked. */
export function startReport(): { lines: string[]; targets: BenchmarkResult['targets']; print: (line: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    targets: [],
    print: (line) => {
      lines.push(line);
      console.info(line);
    },
  };
}

/** The Redis the benchmarks use: REDIS_URL, else the local one. */
export function benchRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}
