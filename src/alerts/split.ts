/**
 * Splits `items` into consecutive runs, each as long as `fits` allows, so a large digest
 * becomes as few messages as the limits permit. Every item lands in exactly one run, in
 * the given order; nothing is dropped. `fits(start, run)` is asked about the run that
 * would begin at index `start`.
 *
 * Each run's length is searched for around the previous run's length (exponential
 * search, then bisection): parts of a digest are alike, so a run usually costs two
 * `fits` calls (its length fits, one more does not) instead of one per item.
 *
 * `fits` should be monotone (a run that fits still fits shorter); if it is not, runs are
 * merely shorter than they could be, and each one still fits. Returns `undefined` when
 * even one item alone does not fit, for the caller to report.
 */
export function packRuns<T>(items: readonly T[], fits: (start: number, run: readonly T[]) => boolean): T[][] | undefined {
  const runs: T[][] = [];
  let start = 0;
  let guess = 1;
  while (start < items.length) {
    const remaining = items.length - start;
    const fitsN = (n: number) => fits(start, items.slice(start, start + n));
    // Invariant from here on: `lo` items fit (0 when none is known to), `hi` items do not
    // (remaining + 1 when all might).
    let lo = 0;
    let hi = remaining + 1;
    const g = Math.min(guess, remaining);
    if (fitsN(g)) {
      lo = g;
      for (let step = 1; lo < remaining; step *= 2) {
        const n = Math.min(lo + step, remaining);
        if (!fitsN(n)) {
          hi = n;
          break;
        }
        lo = n;
      }
    } else {
      hi = g;
      for (let step = 1; hi - step > 0; step *= 2) {
        const n = hi - step;
        if (fitsN(n)) {
          lo = n;
          break;
        }
        hi = n;
      }
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fitsN(mid)) lo = mid;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    runs.push(items.slice(start, start + lo));
    start += lo;
    guess = lo;
  }
  return runs;
}
