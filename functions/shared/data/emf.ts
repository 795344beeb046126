/**
 * One count as a CloudWatch Embedded Metric Format line on stdout, which Lambda's log agent turns into a metric.
 * A line of our own rather than Powertools' Metrics: the publishing functions (the claim among them) then carry
 * no metrics library in their bundles, for a metric that a healthy bus never emits.
 */
export const emfCount = (namespace: string, name: string, count: number): void => {
  const record = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] },
      ],
    },
    service: 'livedrop',
    [name]: count,
  };
  process.stdout.write(`${JSON.stringify(record)}\n`);
};
