// Prebuilds the workflow bundle for production, so workers start without running webpack.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules, workflowsPath } from '../temporal/workflow-modules.ts';

const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules });
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, code);
process.stdout.write(`Workflow bundle written to ${out} (${Math.round(code.length / 1024)} KiB)\n`);
