// Adaptive bitrate: a throughput estimate (two moving averages, the lower wins, so a sudden
// drop is believed fast and a spike slowly) and the buffer level decide the variant.

export class ThroughputEstimator {
  constructor() {
    this.fast = 0;
    this.slow = 0;
    this.samples = 0;
  }

  /// One finished download: bytes and milliseconds.
  add(bytes, ms) {
    if (ms <= 0 || bytes < 16000) return; // tiny responses measure latency, not bandwidth
    const bps = (bytes * 8 * 1000) / ms;
    this.fast = this.samples ? 0.5 * bps + 0.5 * this.fast : bps;
    this.slow = this.samples ? 0.15 * bps + 0.85 * this.slow : bps;
    this.samples++;
  }

  /// Bits per second, or 0 before the first sample.
  get estimate() {
    return this.samples ? Math.min(this.fast, this.slow) : 0;
  }
}

/// The index of the variant to fetch next. Steps up only with a comfortable buffer, and
/// drops to a variant the throughput sustains as soon as the buffer runs low.
export function chooseVariant(variants, current, throughput, bufferAhead) {
  if (!variants.length) return 0;
  if (!throughput) return Math.min(current, variants.length - 1);
  const budget = throughput * (bufferAhead < 6 ? 0.6 : 0.8);
  let fit = 0;
  variants.forEach((variant, index) => { if (variant.bandwidth <= budget) fit = index; });
  if (fit > current && bufferAhead < 10) return current; // wait for buffer before climbing
  if (fit > current) return current + 1; // one rung at a time upwards
  return fit;
}
