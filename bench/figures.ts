import { writeFileSync } from 'node:fs';

/** One measured figure as bench/results.json records it: the median of several runs, their spread, its budget. */
export interface Figure {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  /** What the figure must stay within, as written in the README ("≤ 0.1", "≥ 100"); null for a figure reported only. */
  budget: string | null;
  ok: boolean;
  /** How many runs the median is of. */
  runs: number;
}

export type Budget = { atMost: number } | { atLeast: number } | null;

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The value at quantile q (0..1) of the samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A figure from the samples of ≥ 5 runs: their median is held against the budget. */
export function figure(name: string, samples: readonly number[], unit: string, budget: Budget): Figure {
  const value = median(samples);
  return {
    name,
    median: round(value),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    unit,
    budget: budget === null ? null : 'atMost' in budget ? `≤ ${budget.atMost}` : `≥ ${budget.atLeast}`,
    ok: budget === null ? true : 'atMost' in budget ? value <= budget.atMost : value >= budget.atLeast,
    runs: samples.length,
  };
}

/** Four significant digits: the machines are noisier than that. */
function round(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

/**
 * How a bench module runs on its own: `tsx bench/<module>.ts [out.json]` measures, prints its figures and, given a
 * path, writes them there for bench/run.ts to gather.
 */
export async function runModule(measure: () => Promise<Figure[]>): Promise<void> {
  const figures = await measure();
  const out = process.argv[2];
  if (out !== undefined) writeFileSync(out, JSON.stringify(figures, null, 2));
  else console.log(JSON.stringify(figures, null, 2));
}
