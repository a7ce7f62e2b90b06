// Runs before `npm start` / `npm test`: installs the locked dependencies on a fresh
// clone so that the README's two commands are all the setup there is.
import { existsSync, lstatSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const installed = existsSync('node_modules/.package-lock.json');
const stale = installed && statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs;
if (!installed || stale) {
  // A node_modules symlink (a git worktree sharing another checkout's install) is never
  // reinstalled from here: `npm ci` empties the directory the link points to, for every
  // checkout sharing it, before it replaces the link. A fresh worktree's newer lockfile
  // mtime alone made it look stale.
  if (existsSync('node_modules') && lstatSync('node_modules').isSymbolicLink()) {
    console.error('[setup] node_modules is a symlink: not running npm ci here (install in the checkout it points to if dependencies are missing)');
  } else {
    console.error('[setup] installing dependencies (npm ci) …');
    execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  }
}
