/**
 * Learning-rate schedule: linear warm-up, then cosine decay to a floor.
 *
 * @module
 */

/** Schedule parameters. */
export interface LrSchedule {
  /** Peak learning rate reached at the end of warm-up. */
  maxLr: number;
  /** Final learning rate, reached at `totalSteps`. */
  minLr: number;
  /** Steps of linear warm-up from 0. */
  warmupSteps: number;
  /** Length of the whole schedule (after it, the rate stays at `minLr`). */
  totalSteps: number;
}

/** Learning rate at 1-based `step`. */
export function learningRate(s: LrSchedule, step: number): number {
  if (s.warmupSteps > 0 && step <= s.warmupSteps) return (s.maxLr * step) / s.warmupSteps;
  if (step >= s.totalSteps) return s.minLr;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = (step - s.warmupSteps) / span;
  return s.minLr + 0.5 * (s.maxLr - s.minLr) * (1 + Math.cos(Math.PI * progress));
}
