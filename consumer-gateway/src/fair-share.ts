// Sharing one read's budget of records among partitions: each partition with records gets an equal share, a
// partition that needs less gives the rest back to the others (water-filling), and the partition after the
// last served one goes first, so a budget smaller than the number of busy partitions still serves them all
// over successive reads.

/**
 * How many records each partition may return: shares[i] <= available[i], the sum is min(budget, sum of
 * available), and no partition gets more than one record more than another unless that one is exhausted.
 * `start` (any integer) picks which partitions get the remainder when the budget does not divide evenly.
 */
export function fairShares(available: readonly number[], budget: number, start: number): number[] {
  const n = available.length;
  const shares = available.map(() => 0);
  let remaining = budget;
  let open: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = (((start + k) % n) + n) % n;
    if (available[i]! > 0) open.push(i);
  }
  while (remaining > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(remaining / open.length));
    const stillOpen: number[] = [];
    for (const i of open) {
      const give = Math.min(each, available[i]! - shares[i]!, remaining);
      shares[i]! += give;
      remaining -= give;
      if (shares[i]! < available[i]!) stillOpen.push(i);
    }
    open = stillOpen;
  }
  return shares;
}
