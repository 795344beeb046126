/** `npm run simulate`: the gala simulation around the real engine (docs/simulation.md); `--help` lists the options. */
import { readCommandLine } from '../lib/cli.js';
import { SIMULATE_CLI, simulationOptions } from '../lib/simulate/options.js';

const options = readCommandLine(SIMULATE_CLI, simulationOptions);

// Imported once the command line is read, so --help and its mistakes answer sooner.
const { summaryTable, writeReport } = await import('../lib/simulate/report.js');
const { failedChecks, simulate } = await import('../lib/simulate/run.js');

const result = await simulate(options, (line) => console.error(line));
const files = writeReport(result);
console.log(summaryTable(result));
console.log(`report: ${files.html}\njson:   ${files.json}`);
const failed = failedChecks(result);
if (failed.length > 0) {
  console.log(`FAILED: ${failed.join(', ')} not 0`);
  process.exitCode = 1;
}
