// Runs before `npm start` / `npm test`: installs the locked dependencies on a fresh
// clone so that the README's two commands are all the setup there is.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const installed = existsSync('node_modules/.package-lock.json');
const stale = installed && statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs;
if (!installed || stale) {
  console.error('[setup] installing dependencies (npm ci) …');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
