import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/adapters/metrics/metrics.js';

describe('/metrics names', () => {
  it('start with bulwark_ once, never with a doubled prefix such as bulwark_process_process_', async () => {
    const text = await createMetrics().registry.metrics();
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1] ?? '');
    expect(names).toContain('bulwark_process_cpu_user_seconds_total');
    expect(names).toContain('bulwark_nodejs_heap_size_used_bytes');
    expect(names).toContain('bulwark_jobs_total');
    for (const name of names) {
      expect(name).toMatch(/^bulwark_/);
      expect(name).not.toMatch(/^bulwark_(?:process_process|nodejs_nodejs|process_nodejs)_/);
    }
  });
});
