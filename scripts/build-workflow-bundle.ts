/**
 * `npm run build:workflows [file]`: bundles the workflows ahead of time (default
 * .data/workflow-bundle.js). Start the worker with WORKFLOW_BUNDLE_PATH=<file> to use it; build
 * it again after any change to workflows/ or domain/ (a stale bundle replays old code).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildWorkflowBundle } from '../workers/workflow-bundle';

const file = path.resolve(process.argv[2] ?? '.data/workflow-bundle.js');
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, await buildWorkflowBundle());
console.log(`workflow bundle written to ${file}`);
