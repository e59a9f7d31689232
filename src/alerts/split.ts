/**
 * Splits `items` into consecutive runs, each as long as `fits` allows, so a large digest
 * becomes as few messages as the limits permit. Every item lands in exactly one run, in
 * the given order; nothing is dropped. `fits(start, run)` is asked about the run that
 * would begin at index `start`. Each run's length is found by doubling, then bisecting:
 * O(log n) renders per run instead of one per item.
 *
 * `fits` should be monotone (a run that fits still fits shorter); if it is not, the runs
 * are merely shorter than they could be, and still each one fits. Returns `undefined`
 * when even one item alone does not fit, for the caller to report.
 */
export function packRuns<T>(items: readonly T[], fits: (start: number, run: readonly T[]) => boolean): T[][] | undefined {
  const runs: T[][] = [];
  let start = 0;
  while (start < items.length) {
    const remaining = items.length - start;
    const fitsN = (n: number) => fits(start, items.slice(start, start + n));
    if (!fitsN(1)) return undefined;
    let lo = 1; // known to fit
    let hi = 2; // not yet known; the search ends with hi = the first length known not to fit
    for (;;) {
      if (hi >= remaining) {
        if (fitsN(remaining)) lo = hi = remaining;
        else hi = remaining;
        break;
      }
      if (!fitsN(hi)) break;
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fitsN(mid)) lo = mid;
      else hi = mid;
    }
    runs.push(items.slice(start, start + lo));
    start += lo;
  }
  return runs;
}
