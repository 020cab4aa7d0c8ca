/**
 * `npm run bench`: every benchmark below, in sequence, each printing a short report. `npm run bench -- <word>`
 * runs only those whose name contains the word. Add a benchmark by exporting a `Benchmark` from a file in
 * bench/ and listing it here.
 */
import { pathToFileURL } from 'node:url';
import { ackLatencyBenchmark } from './ack-latency.js';
import type { Benchmark } from './benchmark.js';
import { fairnessBenchmark } from './fairness.js';
import { jobsThroughputBenchmark } from './jobs-throughput.js';
import { modelRateLimitBenchmark } from './model-rate-limit.js';
import { pipelineBenchmark } from './pipeline.js';

export const benchmarks: Benchmark[] = [pipelineBenchmark, ackLatencyBenchmark, jobsThroughputBenchmark, fairnessBenchmark, modelRateLimitBenchmark];

export async function runBenchmarks(list: Benchmark[], filter: string[] = []): Promise<boolean> {
  const selected = filter.length === 0 ? list : list.filter((benchmark) => filter.some((word) => benchmark.name.includes(word)));
  const missed: string[] = [];
  for (const benchmark of selected) {
    console.info(`\n## ${benchmark.name}\n`);
    const result = await benchmark.run();
    for (const target of result.targets) if (!target.met) missed.push(`${benchmark.name}: ${target.name}`);
  }
  console.info(missed.length === 0 ? `\nAll targets met (${selected.length} benchmark(s)).` : `\nTargets missed:\n${missed.map((line) => `  - ${line}`).join('\n')}`);
  return missed.length === 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runBenchmarks(benchmarks, process.argv.slice(2));
  // Probot, the queue and pino may keep handles open; a benchmark run is over when its reports are printed.
  process.exit(0);
}
