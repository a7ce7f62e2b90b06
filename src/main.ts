// Entry point of `npm start` and of the commands (`node --import tsx src/main.ts catalog import …`,
// `npm run catalog -- …`). Configuration comes from the environment (see README).
import { runProgram } from './cli.ts';

await runProgram(process.argv.slice(2));
