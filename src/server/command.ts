// How to start the project's server from the project folder (npm start, the browser tests, the benchmark):
// one Node process, the TypeScript loaded by tsx inside it, so a signal sent to it reaches the server itself.
export const SERVER_ARGS: readonly string[] = ['--import', 'tsx', 'src/server/main.ts'];
