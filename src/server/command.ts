// How to start the project's server from the project folder (npm start, the browser tests, the benchmark): one
// plain Node process running the built server (scripts/server.mjs finds <outDir>/server/main.mjs), so a signal sent
// to it reaches the server itself.
export const SERVER_ARGS: readonly string[] = ['scripts/server.mjs'];
