/**
 * One count as a CloudWatch Embedded Metric Format line on stdout, which Lambda's log agent turns into a metric.
 * A line of our own rather than Powertools' Metrics: the publishing functions (the claim among them) then carry
 * no metrics library in their bundles, for a metric that a healthy bus never emits.
 */
export const emfCount = (
  namespace: string,
  name: string,
  count: number,
  write: (line: string) => void = (line) => {
    process.stdout.write(line);
  },
  now: number = Date.now(),
): void => {
  const service = 'livedrop';
  write(
    `${JSON.stringify({
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [
          { Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] },
        ],
      },
      service,
      [name]: count,
    })}\n`,
  );
};
