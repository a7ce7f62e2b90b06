// Entry point of `npm start`. Configuration comes from the environment (see README).
import { runService } from './cli.ts';

await runService();
