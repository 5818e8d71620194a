/** Prints jest's totals as the plain closing line CI reads: "N passed, N failed, N skipped". */
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
		const failedSuites = results.numRuntimeErrorTestSuites;
		process.stdout.write(
			`\nTests: ${numPassedTests} passed, ${numFailedTests + failedSuites} failed, ${numPendingTests + numTodoTests} skipped\n`,
		);
	}
}
module.exports = SummaryReporter;
