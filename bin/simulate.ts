/** `npm run simulate`: the gala simulation around the real engine (docs/simulation.md). */
import { parseOptions } from '../lib/simulate/options.js';
import { summaryTable, writeReport } from '../lib/simulate/report.js';
import { failedChecks, simulate } from '../lib/simulate/run.js';

let options: ReturnType<typeof parseOptions>;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const result = await simulate(options, (line) => console.error(line));
const files = writeReport(result);
console.log(summaryTable(result));
console.log(`report: ${files.html}\njson:   ${files.json}`);
const failed = failedChecks(result);
if (failed.length > 0) {
  console.log(`FAILED: ${failed.join(', ')} not 0`);
  process.exitCode = 1;
}
